/**
 * The signing port. The engine owns this interface; WebCrypto and @noble/curves are adapters.
 *
 * Invariants:
 *  1. Every adapter gives the same verdict on every (key, message, signature): strict RFC 8032 /
 *     FIPS 186-5 verification (canonical S < L, canonical point encodings, cofactorless equation)
 *     and small-order public keys rejected. The vectors in shared/vectors hold them to it.
 *  2. `verify` never throws for bad input: malformed keys or signatures are simply `false`.
 */

/** A private signing key held by an adapter (may be a non-extractable CryptoKey). */
export interface SigningKey {
  /** 32-byte ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** Signs `message` (64-byte signature). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Exported identity: the 32-byte ed25519 seed and its public key. Keep it secret. */
export interface ExportedIdentity {
  readonly v: 1;
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

/** An ed25519 implementation. */
export interface Ed25519Port {
  /** Adapter name, for diagnostics ("webcrypto", "noble"). */
  readonly name: string;
  /** Creates a fresh key pair. */
  generate(): Promise<SigningKey>;
  /** Rebuilds a signing key from an exported 32-byte seed. */
  importSecret(secretKey: Uint8Array): Promise<SigningKey>;
  /** Exports the seed of a key this adapter generated or imported. */
  exportSecret(key: SigningKey): Promise<Uint8Array>;
  /** Strict verification; false for any malformed input. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
}

/** A sha256 implementation (synchronous: it runs on the hot path). */
export type HashFn = (data: Uint8Array) => Uint8Array;
