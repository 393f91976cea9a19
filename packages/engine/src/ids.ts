/**
 * Branded identifiers. Brands keep a change hash from being passed where an author key is
 * expected, at zero runtime cost.
 */
import { toHex } from './bytes.ts';

declare const brand: unique symbol;
/** A nominal type: `T` tagged with `B`. */
export type Brand<T, B extends string> = T & { readonly [brand]: B };

/** A 32-byte sha256 change hash, as lower-case hex. */
export type ChangeHash = Brand<string, 'ChangeHash'>;
/** A 32-byte ed25519 public key, as lower-case hex. */
export type AuthorId = Brand<string, 'AuthorId'>;
/** A database id: the hash of its genesis change, as lower-case hex. */
export type DbId = Brand<string, 'DbId'>;
/** A document id: 128 random bits, URL-safe base64 (22 chars), or any app-chosen URL-safe string. */
export type DocId = Brand<string, 'DocId'>;
/** A collection name from the schema. */
export type CollectionName = Brand<string, 'CollectionName'>;

/** Hex of a 32-byte hash as a {@link ChangeHash}. */
export function changeHashOf(bytes: Uint8Array): ChangeHash {
  return toHex(bytes) as ChangeHash;
}

/** Hex of a 32-byte public key as an {@link AuthorId}. */
export function authorIdOf(bytes: Uint8Array): AuthorId {
  return toHex(bytes) as AuthorId;
}

const DOC_ID_RE = /^[A-Za-z0-9_-]{1,128}$/;

/** True when `s` is a valid document id (URL-safe, 1-128 chars). */
export function isDocId(s: unknown): s is DocId {
  return typeof s === 'string' && DOC_ID_RE.test(s);
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** True when `s` is a valid collection or field name. */
export function isName(s: unknown): s is CollectionName {
  return typeof s === 'string' && NAME_RE.test(s);
}
