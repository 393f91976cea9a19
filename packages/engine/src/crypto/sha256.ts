/**
 * sha256 for change hashes and other content addresses.
 *
 * It is synchronous on purpose: hashing sits on the ingest and commit paths, and an `await` on
 * WebCrypto's digest would force every caller async and, inside an IndexedDB transaction, would
 * auto-commit it (DESIGN §3). @noble/hashes is fast enough for change-sized inputs.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { utf8 } from '../bytes.ts';
import type { HashFn } from './crypto-port.ts';

/** sha256 of `data` (32 bytes). */
export const sha256: HashFn = (data: Uint8Array): Uint8Array => nobleSha256(data);

/**
 * Domain-separated hash: sha256(utf8(domain) ‖ data), e.g. `hashWithDomain('weft/change/v1', bytes)`.
 *
 * The domain string is fed to the incremental hasher rather than concatenated, so a large
 * `data` is never copied. The domain has no length prefix: callers must use domains that are not
 * prefixes of each other's domain-plus-payload (fixed `weft/<thing>/v<n>` strings followed by a
 * canonical encoding satisfy this).
 */
export function hashWithDomain(domain: string, data: Uint8Array): Uint8Array {
  let prefix = domainBytes.get(domain);
  if (prefix === undefined) domainBytes.set(domain, (prefix = utf8(domain)));
  return nobleSha256.create().update(prefix).update(data).digest();
}

/** Domains are a handful of constants: encode each once, not once per change. */
const domainBytes = new Map<string, Uint8Array>();
