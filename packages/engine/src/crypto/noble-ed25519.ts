/**
 * Ed25519 over @noble/curves: the portable fallback for runtimes without WebCrypto Ed25519.
 *
 * Invariants:
 *  1. `verify` gives the strict verdict of crypto-port.ts invariant 1, the same as
 *     webcrypto-ed25519.ts: S < L; A decoded strictly (y < p, no sign bit when x = 0) and not of
 *     small order; R canonical; cofactorless equation [S]B = R + [k]A.
 *  2. noble's own `ed25519.verify(..., { zip215: false })` is NOT used: it checks the cofactored
 *     equation [8]([S]B - R - [k]A) = O, so it accepts signatures that WebCrypto (OpenSSL and
 *     BoringSSL: cofactorless) rejects, e.g. ed25519-speccheck cases 4 and 5. The equation is
 *     instead checked as encode([S]B - [k]A) == R bytes, which also rejects every non-canonical R
 *     (an encoder only emits canonical bytes) without decoding R.
 *  3. The decoded public key (or `'invalid'`) is cached per author in a bounded LRU, so the
 *     square root of point decoding and the small-order check run once per key.
 *  4. `verify` never throws: every malformed input is `false`.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import type { EdwardsPoint } from '@noble/curves/abstract/edwards.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex } from '../bytes.ts';
import { WeftError } from '../errors.ts';
import { randomBytes } from '../host.ts';
import type { Ed25519Port, SigningKey } from './crypto-port.ts';

const Point = ed25519.Point;
const Fn = Point.Fn;
/** Default bound of the per-author decoded-key cache. */
export const DEFAULT_NOBLE_KEY_CACHE_SIZE = 10_000;

/** Options for {@link createNobleEd25519}. */
export interface NobleEd25519Options {
  /** Bound of the per-author decoded-key cache (default {@link DEFAULT_NOBLE_KEY_CACHE_SIZE}). */
  readonly keyCacheSize?: number;
}

/**
 * Strict decode of a public key: undefined when it is not a canonical encoding of a curve point
 * or when the point has small order (order dividing 8).
 */
export function decodeStrictPublicKey(publicKey: Uint8Array): EdwardsPoint | undefined {
  try {
    const A = Point.fromBytes(publicKey, false);
    return A.isSmallOrder() ? undefined : A;
  } catch {
    return undefined;
  }
}

/**
 * Strict cofactorless verification against an already decoded key (invariant 2).
 * `publicKey` must be the exact bytes `A` was decoded from: they enter the challenge hash.
 */
function verifyDecoded(A: EdwardsPoint, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const r = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= Fn.ORDER) return false;
  const k = Fn.create(bytesToNumberLE(sha512.create().update(r).update(publicKey).update(message).digest()));
  const expectedR = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
  return equalBytes(expectedR.toBytes(), r);
}

/** The @noble/curves adapter. Always available. */
export function createNobleEd25519(options: NobleEd25519Options = {}): Ed25519Port {
  const maxKeys = Math.max(1, options.keyCacheSize ?? DEFAULT_NOBLE_KEY_CACHE_SIZE);
  const keys = new Map<string, EdwardsPoint | 'invalid'>();
  const seeds = new WeakMap<SigningKey, Uint8Array>();

  function keyFor(publicKey: Uint8Array): EdwardsPoint | 'invalid' {
    const id = toHex(publicKey);
    let entry = keys.get(id);
    if (entry !== undefined) {
      keys.delete(id);
    } else {
      entry = decodeStrictPublicKey(publicKey) ?? 'invalid';
      if (keys.size >= maxKeys) keys.delete(keys.keys().next().value!);
    }
    keys.set(id, entry);
    return entry;
  }

  function wrap(seed: Uint8Array): SigningKey {
    const own = seed.slice();
    const key: SigningKey = Object.freeze({
      publicKey: ed25519.getPublicKey(own),
      sign: (message: Uint8Array) => Promise.resolve().then(() => ed25519.sign(message, own)),
    });
    seeds.set(key, own);
    return key;
  }

  return Object.freeze({
    name: 'noble',
    generate: () => Promise.resolve(wrap(randomBytes(32))),
    importSecret(secretKey: Uint8Array): Promise<SigningKey> {
      if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
        return Promise.reject(new WeftError('E_KEY', 'ed25519 secret key must be 32 bytes'));
      }
      return Promise.resolve(wrap(secretKey));
    },
    exportSecret(key: SigningKey): Promise<Uint8Array> {
      const seed = seeds.get(key);
      if (seed === undefined) {
        return Promise.reject(new WeftError('E_KEY', 'signing key was not created by this noble adapter'));
      }
      return Promise.resolve(seed.slice());
    },
    verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      try {
        if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array)) return Promise.resolve(false);
        if (!(signature instanceof Uint8Array) || publicKey.length !== 32 || signature.length !== 64) {
          return Promise.resolve(false);
        }
        const A = keyFor(publicKey);
        return Promise.resolve(A !== 'invalid' && verifyDecoded(A, publicKey, message, signature));
      } catch {
        return Promise.resolve(false);
      }
    },
  });
}
