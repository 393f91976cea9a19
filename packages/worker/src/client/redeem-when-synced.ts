/**
 * Redeeming an invite link as soon as it can be: a fresh device opening the link has none of
 * the database yet, so the invite's membership is `E_NOT_FOUND` until it has synced. This
 * retries just that error, with a capped backoff, and gives up on anything else.
 */
import { WeftError } from '@weft/engine';

/** What {@link redeemWhenSynced} needs of a client (`WeftClient.redeemInvite`). */
export interface InviteRedeemer {
  redeemInvite(secret: string, scopeId: string, members?: string, scopeField?: string): Promise<string>;
}

/** Options for {@link redeemWhenSynced}. */
export interface RedeemWhenSyncedOptions {
  /** Collection of memberships (default `members`). */
  readonly members?: string;
  /** The membership's field naming what it grants access to (default `list`). */
  readonly scopeField?: string;
  /** First retry delay (default 250 ms), doubled up to {@link maxDelayMs}. */
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Stops retrying (rejects with `E_CLOSED`). */
  readonly signal?: AbortSignal;
}

/**
 * Redeems the invite `secret` for `scopeId`, retrying while its membership has not synced yet.
 * Resolves with the hash of this user's new membership; rejects with any other error.
 */
export async function redeemWhenSynced(
  client: InviteRedeemer,
  secret: string,
  scopeId: string,
  options: RedeemWhenSyncedOptions = {},
): Promise<string> {
  const max = options.maxDelayMs ?? 4_000;
  let delay = options.minDelayMs ?? 250;
  for (;;) {
    if (options.signal?.aborted === true) throw new WeftError('E_CLOSED', 'invite redemption stopped');
    try {
      return await client.redeemInvite(secret, scopeId, options.members ?? 'members', options.scopeField ?? 'list');
    } catch (err) {
      if (!(err instanceof WeftError) || err.code !== 'E_NOT_FOUND') throw err;
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(max, delay * 2);
  }
}
