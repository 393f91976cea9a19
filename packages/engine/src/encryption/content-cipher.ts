/**
 * Encrypting a change's content ops into one `enc` op, and opening it again.
 *
 *   plaintext = canonical(ops)                     (encoding/canonical.ts)
 *   aad       = canonical(["weft/enc/v1", db | null, author, seq, epoch])
 *   enc       = { k: 'enc', e: epoch, n: random 12 bytes, x: AES-GCM(K, n, aad, plaintext) }
 *
 * Invariants:
 *  1. The AAD binds the ciphertext to its envelope (database, author, seq, epoch), so a relay
 *     or member cannot move it into another change and have it open there.
 *  2. Decryption is synchronous (@noble/ciphers): it runs inside the commit section, where an
 *     await would break the one-write-per-batch rule (DESIGN §3).
 *  3. Opened ops are checked like decoded ones (change/change.ts validateOp) and may hold only
 *     document ops: a genesis, keys or enc op inside the ciphertext is refused, so a decrypted
 *     change never carries anything the clear layout forbids. Any failure is `E_ENCRYPTION`.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { fromHex } from '../bytes.ts';
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import type { Change } from '../change/change.ts';
import { validateOp } from '../change/change.ts';
import type { DocOp } from '../change/op.ts';
import { NONCE_BYTES, type EncOp } from './seal-ops.ts';

/** The envelope fields the ciphertext is bound to. */
export type Envelope = Pick<Change, 'db' | 'author' | 'seq'>;

function aad(env: Envelope, epoch: Uint8Array): Uint8Array {
  return encode(['weft/enc/v1', env.db === null ? null : fromHex(env.db), fromHex(env.author), env.seq, epoch]);
}

/** Encrypts `ops` with epoch key `key` (id `epoch`) for the change described by `env`. */
export function sealOps(
  ops: readonly DocOp[],
  env: Envelope,
  epoch: Uint8Array,
  key: Uint8Array,
  random: (n: number) => Uint8Array,
): EncOp {
  const n = random(NONCE_BYTES);
  const x = gcm(key, n, aad(env, epoch)).encrypt(encode(ops as unknown as CanonicalValue));
  return { k: 'enc', e: epoch, n, x };
}

/**
 * Opens `op` with `key`; returns its document ops or throws `E_ENCRYPTION` (wrong key, tampered
 * ciphertext, or a plaintext that is not a list of valid document ops, invariant 3).
 */
export function openOps(op: EncOp, env: Envelope, key: Uint8Array, maxOps: number): DocOp[] {
  let plain: Uint8Array;
  try {
    plain = gcm(key, op.n, aad(env, op.e)).decrypt(op.x);
  } catch {
    throw new WeftError('E_ENCRYPTION', 'ciphertext does not decrypt with the epoch key');
  }
  let ops: CanonicalValue;
  try {
    ops = decode(plain);
  } catch (err) {
    throw new WeftError('E_ENCRYPTION', `decrypted content is not canonical: ${String(err)}`);
  }
  if (!Array.isArray(ops) || ops.length === 0 || ops.length > maxOps)
    throw new WeftError('E_ENCRYPTION', `decrypted content must be 1-${maxOps} ops`);
  ops.forEach((o, i) => {
    try {
      validateOp(o, i);
    } catch (err) {
      throw new WeftError('E_ENCRYPTION', `decrypted op ${i} is malformed: ${String(err)}`);
    }
    const k = (o as { k: string }).k;
    if (k === 'genesis' || k === 'keys' || k === 'enc')
      throw new WeftError('E_ENCRYPTION', `decrypted op ${i} may not be a ${k} op`);
  });
  return ops as unknown as DocOp[];
}
