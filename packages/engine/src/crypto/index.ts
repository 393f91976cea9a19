/** Public surface of the crypto module: the port, its two adapters, identities and hashing. */
export type { Ed25519Port, ExportedIdentity, HashFn, SigningKey } from './crypto-port.ts';
export { hashWithDomain, sha256 } from './sha256.ts';
export {
  createWebCryptoEd25519,
  detectWebCryptoEd25519,
  DEFAULT_KEY_CACHE_SIZE,
  type WebCryptoEd25519Options,
} from './webcrypto-ed25519.ts';
export { createNobleEd25519, DEFAULT_NOBLE_KEY_CACHE_SIZE, type NobleEd25519Options } from './noble-ed25519.ts';
export {
  decodeExportedIdentity,
  defaultEd25519,
  encodeExportedIdentity,
  EXPORTED_IDENTITY_PREFIX,
  exportIdentity,
  generateIdentity,
  importIdentity,
  type Identity,
} from './identity.ts';
