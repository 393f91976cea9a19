/**
 * The key-distribution part of a local change: sharing epoch keys with new members and
 * rotating to a new epoch when members leave (Replica.change's `keys` option, shareKey and
 * rotateKey).
 *
 * Invariants:
 *  1. A rotation wraps the new epoch for the members of the current epoch (plus anyone shared
 *     with in the same change) minus the excluded ones, and never for an excluded author, so
 *     nothing sealed after it opens for them (the app revokes their membership in the same change).
 *     An author may exclude itself: an invite key does when it is redeemed, because everyone
 *     holding the link holds its secret (worker redeem-invite.ts).
 *  2. Sharing wraps every epoch this identity holds that the member lacks, so a new member reads
 *     the history written before they joined, and each epoch appears in at most one keys op.
 */
import { fromHex, toHex } from '../bytes.ts';
import { WeftError } from '../errors.ts';
import type { Op } from '../change/op.ts';
import { Keyring } from './keyring.ts';
import { type KeysOp } from './seal-ops.ts';
import type { AuthorId } from '../ids.ts';
import { wrapKey } from './key-wrap.ts';

/** Key distribution to do in a change. */
export interface KeyChangeOptions {
  /** Start a new epoch that these authors are left out of (revocation). */
  readonly rotateKey?: { readonly exclude: readonly string[] };
  /** Wrap the epoch keys this identity holds for these authors (a new member, an invite key). */
  readonly shareKey?: readonly string[];
}

const AUTHOR_RE = /^[0-9a-f]{64}$/;

function authors(list: unknown, what: string): string[] {
  if (!Array.isArray(list)) throw new WeftError('E_INVALID_ARGUMENT', `${what} must be an array of author ids`);
  for (const a of list)
    if (typeof a !== 'string' || !AUTHOR_RE.test(a))
      throw new WeftError('E_INVALID_ARGUMENT', `${what}: ${String(a)} is not an author id`);
  return [...new Set(list as string[])];
}

/** The keys op of a new database's first epoch, wrapped for its creator (`author`). */
export function newEpochKeysOp(author: AuthorId, random: (n: number) => Uint8Array): Op {
  return new Keyring(author, undefined, 0).startEpoch([], random) as unknown as Op;
}

/**
 * The keys ops a local change carries for `options` (empty when none). Throws
 * `E_INVALID_ARGUMENT` for bad author ids or a database without encryption, and `E_KEY` when
 * this identity holds no key to share or rotate from.
 */
export function keysOpsFor(
  kr: Keyring | undefined,
  options: KeyChangeOptions | undefined,
  random: (n: number) => Uint8Array,
): KeysOp[] {
  if (options?.rotateKey === undefined && options?.shareKey === undefined) return [];
  if (kr?.encrypted !== true) throw new WeftError('E_INVALID_ARGUMENT', 'this database is not encrypted');
  const share = options.shareKey === undefined ? [] : authors(options.shareKey, 'shareKey');
  const out: KeysOp[] = [];
  for (const id of kr.heldEpochs().sort()) {
    const lacking = share.filter((a) => !kr.membersOf(id).has(a as AuthorId)).sort();
    if (lacking.length === 0) continue;
    const key = kr.keyOf(id);
    out.push({
      k: 'keys',
      e: fromHex(id),
      n: false,
      w: lacking.map((m) => [fromHex(m), wrapKey(key, fromHex(m), random)]),
    });
  }
  if (options.rotateKey !== undefined) {
    const exclude = new Set(authors(options.rotateKey.exclude, 'rotateKey.exclude'));
    const current = kr.current();
    if (current === undefined) throw new WeftError('E_KEY', 'this identity holds no key of this database');
    const members = [...kr.membersOf(current), ...share].filter((m) => !exclude.has(m));
    const started = kr.startEpoch(members, random, !exclude.has(kr.me));
    // Epoch ids are random, but the layout still wants one keys op per epoch: the new one is unique.
    if (out.some((op) => toHex(op.e) === toHex(started.e))) throw new WeftError('E_INTERNAL', 'epoch id collision');
    out.push(started);
  }
  return out;
}
