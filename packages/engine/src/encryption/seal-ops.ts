/**
 * The two op kinds of an encrypted database's changes, as they appear in the signed body:
 *
 *   keys  { k: 'keys', e: epoch(16), n: bool, w: [[member(32), wrapped(80)], …] }
 *         key distribution, in clear: the epoch key wrapped for each member (key-wrap.ts);
 *         `n` marks the change that starts the epoch (creation or rotation).
 *   enc   { k: 'enc', e: epoch(16), n: nonce(12), x: ciphertext }
 *         the change's content ops, AES-GCM encrypted with the epoch key (content-cipher.ts).
 *
 * Invariants:
 *  1. Layout: [clear ops…, keys ops…, enc?] — keys ops after every clear op, at most one per
 *     epoch, the enc op (at most one) last. So stripping them never renumbers a clear op, and
 *     the ops a member sees, [clear ops…, decrypted ops…], get the same indices everywhere.
 *  2. Shapes are checked strictly here (exact fields, lengths, sorted unique members), so the
 *     strict decoder (change/change.ts) rejects any malformed seal op with `E_DECODE`.
 *  3. These ops never reach the materializer, validators or inspection: the replica replaces a
 *     change's ops by its opened view (keyring.ts) before anything reads them. That is why the
 *     engine's `Op` union does not list them; {@link sealOpsOf} is the one place that reads them.
 */
import { compareBytes, toHex } from '../bytes.ts';
import { WeftError } from '../errors.ts';
import type { Change } from '../change/change.ts';

/** Epoch ids are 16 bytes (a key check value of the epoch key, key-wrap.ts). */
export const EPOCH_ID_BYTES = 16;
/** X25519 ephemeral public key ‖ AES-GCM(32-byte key) with its 16-byte tag. */
export const WRAPPED_KEY_BYTES = 32 + 32 + 16;
/** AES-GCM nonce length. */
export const NONCE_BYTES = 12;
/** Most members one keys op wraps the key for. */
export const MAX_WRAPS = 4096;

/** Key distribution: the epoch key wrapped for each listed member. */
export interface KeysOp {
  readonly k: 'keys';
  readonly e: Uint8Array;
  /** True on the change that starts this epoch. */
  readonly n: boolean;
  /** [member author key, wrapped epoch key], sorted by member, members unique. */
  readonly w: readonly (readonly [Uint8Array, Uint8Array])[];
}

/** The change's content ops, encrypted. */
export interface EncOp {
  readonly k: 'enc';
  readonly e: Uint8Array;
  readonly n: Uint8Array;
  readonly x: Uint8Array;
}

/** A seal op. */
export type SealOp = KeysOp | EncOp;

function bad(msg: string): never {
  throw new WeftError('E_DECODE', msg);
}

function isBytes(v: unknown, n?: number): v is Uint8Array {
  return v instanceof Uint8Array && (n === undefined || v.length === n);
}

/** True for an op map of a seal kind (shape not checked). */
export function isSealKind(k: unknown): k is SealOp['k'] {
  return k === 'keys' || k === 'enc';
}

/** Field names per seal kind, sorted (the validator compares exact key sets). */
export const SEAL_OP_FIELDS: Record<SealOp['k'], readonly string[]> = {
  keys: ['e', 'k', 'n', 'w'],
  enc: ['e', 'k', 'n', 'x'],
};

/** Checks one seal op's fields (its key set is checked by the caller); throws `E_DECODE`. */
export function validateSealOp(op: Record<string, unknown>, index: number): void {
  if (!isBytes(op.e, EPOCH_ID_BYTES)) bad(`op ${index}: epoch id must be ${EPOCH_ID_BYTES} bytes`);
  if (op.k === 'enc') {
    if (!isBytes(op.n, NONCE_BYTES)) bad(`op ${index}: nonce must be ${NONCE_BYTES} bytes`);
    if (!isBytes(op.x) || op.x.length < 16) bad(`op ${index}: ciphertext must be bytes with a 16-byte tag`);
    return;
  }
  if (typeof op.n !== 'boolean') bad(`op ${index}: n must be a boolean`);
  const w = op.w;
  if (!Array.isArray(w) || w.length === 0 || w.length > MAX_WRAPS) bad(`op ${index}: 1-${MAX_WRAPS} wrapped keys`);
  let prev: Uint8Array | undefined;
  for (const pair of w as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2) bad(`op ${index}: a wrapped key is [member, key]`);
    const [member, wrapped] = pair as unknown[];
    if (!isBytes(member, 32)) bad(`op ${index}: member must be 32 bytes`);
    if (!isBytes(wrapped, WRAPPED_KEY_BYTES)) bad(`op ${index}: wrapped key must be ${WRAPPED_KEY_BYTES} bytes`);
    if (prev !== undefined && compareBytes(prev, member) >= 0) bad(`op ${index}: members must be sorted and unique`);
    prev = member;
  }
}

/**
 * Checks invariant 1 over a change's ops (each already shape-checked); throws `E_DECODE`.
 * Returns the index of the first seal op (the ops length when there is none).
 */
export function checkSealLayout(ops: readonly { readonly k: string; readonly e?: unknown }[]): number {
  let first = ops.length;
  const epochs = new Set<string>();
  for (let i = 0; i < ops.length; i++) {
    const k = ops[i]!.k;
    if (!isSealKind(k)) {
      if (first < ops.length) bad(`op ${i}: clear ops must come before keys and enc ops`);
      continue;
    }
    if (first === ops.length) first = i;
    if (k === 'enc' && i !== ops.length - 1) bad('the enc op must be last');
    if (k === 'keys') {
      const id = toHex(ops[i]!.e as Uint8Array);
      if (epochs.has(id)) bad('at most one keys op per epoch in a change');
      epochs.add(id);
    }
  }
  return first;
}

/** A change's ops split into its clear ops, keys ops and enc op (invariant 3's one reader). */
export function sealOpsOf(change: Change): {
  readonly clear: Change['ops'];
  readonly keys: readonly KeysOp[];
  readonly enc: EncOp | undefined;
} {
  const raw = change.ops as readonly { readonly k: string }[];
  let first = raw.length;
  while (first > 0 && isSealKind(raw[first - 1]!.k)) first--;
  if (first === raw.length) return { clear: change.ops, keys: [], enc: undefined };
  const seal = raw.slice(first) as unknown as readonly SealOp[];
  const last = seal[seal.length - 1]!;
  return {
    clear: change.ops.slice(0, first),
    keys: seal.filter((op): op is KeysOp => op.k === 'keys'),
    enc: last.k === 'enc' ? last : undefined,
  };
}
