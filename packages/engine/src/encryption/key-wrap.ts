/**
 * Database epoch keys, and wrapping them for members with X25519 (sealed-box style).
 *
 *   member X25519 public = toMontgomery(member's ed25519 author key)   (anyone can compute it)
 *   member X25519 secret = toMontgomerySecret(member's ed25519 seed)    (needs the identity)
 *   wrap(K, epoch, member) = ephPub ‖ AES-GCM(kek, nonce 0¹², K)
 *   kek = HKDF-SHA256(x25519(eph, memberPub), salt = ephPub ‖ memberPub,
 *                     info = "weft/key-wrap/v1" ‖ epoch ‖ member)
 *   epoch id = sha256("weft/epoch/v1" ‖ K)[0..16]
 *
 * Invariants:
 *  1. Every wrap uses a fresh ephemeral key, so each kek encrypts exactly one message and the
 *     fixed zero nonce is safe.
 *  2. The info binds the kek to (epoch, member): a wrap copied to another epoch or member
 *     does not open. (The database id is not bound: the first epoch is wrapped inside the
 *     genesis change, before the id exists; epoch ids are unique per key anyway.)
 *  3. The epoch id commits to the key: an unwrapped key is used only if it hashes to the id, so
 *     a member who wraps a wrong key for someone cannot make two holders of "the same" epoch
 *     decrypt differently.
 *  4. Unwrapping never throws for bad data: it returns undefined (a wrap for someone else, or
 *     garbage, must not fail a change).
 */
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { gcm } from '@noble/ciphers/aes.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, utf8 } from '../bytes.ts';
import { hashWithDomain } from '../crypto/sha256.ts';
import { WeftError } from '../errors.ts';
import { EPOCH_ID_BYTES, WRAPPED_KEY_BYTES } from './seal-ops.ts';

const WRAP_INFO = utf8('weft/key-wrap/v1');
const ZERO_NONCE = new Uint8Array(12);

/** A member's X25519 public key from their author key; throws `E_KEY` for a non-point. */
export function agreementPublicKey(authorKey: Uint8Array): Uint8Array {
  if (!(authorKey instanceof Uint8Array) || authorKey.length !== 32)
    throw new WeftError('E_KEY', 'an author key is 32 bytes');
  try {
    return ed25519.utils.toMontgomery(authorKey);
  } catch {
    throw new WeftError('E_KEY', 'author key is not a valid ed25519 point');
  }
}

/** This identity's X25519 secret from its 32-byte ed25519 seed (crypto/identity.ts exportIdentity). */
export function agreementSecretKey(seed: Uint8Array): Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) throw new WeftError('E_KEY', 'an identity seed is 32 bytes');
  return ed25519.utils.toMontgomerySecret(seed);
}

/** The epoch id of a 32-byte key (invariant 3). */
export function epochIdOf(key: Uint8Array): Uint8Array {
  return hashWithDomain('weft/epoch/v1', key).slice(0, EPOCH_ID_BYTES);
}

function kek(shared: Uint8Array, ephPub: Uint8Array, memberPub: Uint8Array, epoch: Uint8Array, member: Uint8Array) {
  return hkdf(nobleSha256, shared, concatBytes(ephPub, memberPub), concatBytes(WRAP_INFO, epoch, member), 32);
}

/**
 * Wraps epoch key `key` for `member` (an author key). `random` gives the ephemeral secret.
 * Throws `E_KEY` for a bad key or member.
 */
export function wrapKey(key: Uint8Array, member: Uint8Array, random: (n: number) => Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== 32) throw new WeftError('E_KEY', 'an epoch key is 32 bytes');
  const memberPub = agreementPublicKey(member);
  const eph = random(32);
  const ephPub = x25519.getPublicKey(eph);
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(eph, memberPub);
  } catch {
    throw new WeftError('E_KEY', 'member key gives no shared secret (small order)');
  }
  const sealed = gcm(kek(shared, ephPub, memberPub, epochIdOf(key), member), ZERO_NONCE).encrypt(key);
  return concatBytes(ephPub, sealed);
}

/**
 * Opens a wrap made for `member` (whose X25519 secret is `secret`) of epoch `epoch`. Returns the
 * key only if it opens and hashes to `epoch` (invariant 3); otherwise undefined (invariant 4).
 */
export function unwrapKey(
  wrapped: Uint8Array,
  epoch: Uint8Array,
  member: Uint8Array,
  secret: Uint8Array,
): Uint8Array | undefined {
  if (!(wrapped instanceof Uint8Array) || wrapped.length !== WRAPPED_KEY_BYTES) return undefined;
  try {
    const ephPub = wrapped.subarray(0, 32);
    const memberPub = x25519.getPublicKey(secret);
    const shared = x25519.getSharedSecret(secret, ephPub);
    const key = gcm(kek(shared, ephPub, memberPub, epoch, member), ZERO_NONCE).decrypt(wrapped.subarray(32));
    return equalBytes(epochIdOf(key), epoch) ? key : undefined;
  } catch {
    return undefined;
  }
}
