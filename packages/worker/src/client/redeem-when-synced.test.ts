import { describe, expect, it } from 'vitest';
import { WeftError } from '@weft/engine';
import { redeemWhenSynced, type InviteRedeemer } from './redeem-when-synced.ts';

/** A client whose invite membership "syncs" after `misses` attempts, then answers `outcome`. */
function client(misses: number, outcome: () => Promise<string>): InviteRedeemer & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    redeemInvite(...a: unknown[]) {
      calls.push(a);
      return calls.length <= misses ? Promise.reject(new WeftError('E_NOT_FOUND', 'not synced yet')) : outcome();
    },
  };
}

describe('redeemWhenSynced', () => {
  it('retries while the membership has not synced, then resolves with the new membership', async () => {
    const c = client(3, async () => 'hash');
    await expect(redeemWhenSynced(c, 'secret', 'nb1', { scopeField: 'notebook', minDelayMs: 1 })).resolves.toBe('hash');
    expect(c.calls).toHaveLength(4);
    expect(c.calls[0]).toEqual(['secret', 'nb1', 'members', 'notebook']);
  });

  it('gives up at once on any other error', async () => {
    const c = client(1, () => Promise.reject(new WeftError('E_PERMISSION', 'invite revoked')));
    await expect(redeemWhenSynced(c, 's', 'l', { minDelayMs: 1 })).rejects.toMatchObject({ code: 'E_PERMISSION' });
    expect(c.calls).toHaveLength(2);
  });

  it('stops when aborted', async () => {
    const c = client(Infinity, async () => 'never');
    const abort = new AbortController();
    const p = redeemWhenSynced(c, 's', 'l', { minDelayMs: 1, signal: abort.signal });
    setTimeout(() => abort.abort(), 20);
    await expect(p).rejects.toMatchObject({ code: 'E_CLOSED' });
  });
});
