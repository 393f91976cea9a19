/**
 * Identities: an author's ed25519 key pair, its {@link AuthorId}, and its exportable form.
 *
 * Invariants:
 *  1. An {@link Identity}'s `publicKey` is always the key its secret derives: imports check it, so a
 *     corrupted or mismatched export fails with `E_KEY` instead of signing under a wrong author.
 *  2. The secret never appears on the Identity object; only {@link exportIdentity} reveals it.
 *  3. {@link defaultEd25519} picks one adapter per runtime, once: WebCrypto when it passes
 *     detection, else noble. Both give identical verdicts, so the choice is only about speed.
 */
import { equalBytes, toBase64Url } from '../bytes.ts';
import { WeftError } from '../errors.ts';
import { authorIdOf, type AuthorId } from '../ids.ts';
import type { Ed25519Port, ExportedIdentity, SigningKey } from './crypto-port.ts';
import { createNobleEd25519 } from './noble-ed25519.ts';
import { createWebCryptoEd25519, detectWebCryptoEd25519, fromBase64Url } from './webcrypto-ed25519.ts';

/** An author's signing identity. */
export interface Identity {
  /** 32-byte ed25519 public key. */
  readonly publicKey: Uint8Array;
  /** The public key as the author id used in changes. */
  readonly author: AuthorId;
  /** Signs `message` (64-byte ed25519 signature). */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** Prefix of the string form of an exported identity; the version is part of it. */
export const EXPORTED_IDENTITY_PREFIX = 'weft-key-v1:';

const internals = new WeakMap<Identity, { readonly port: Ed25519Port; readonly key: SigningKey }>();
let defaultPort: Promise<Ed25519Port> | undefined;

/**
 * The runtime's preferred adapter: WebCrypto when it has strict Ed25519, else @noble/curves.
 * Decided once and shared, so every verify in the process goes through one key cache.
 */
export function defaultEd25519(): Promise<Ed25519Port> {
  defaultPort ??= detectWebCryptoEd25519().then(
    (ok) => (ok ? createWebCryptoEd25519() : undefined) ?? createNobleEd25519(),
  );
  return defaultPort;
}

function wrap(port: Ed25519Port, key: SigningKey): Identity {
  const publicKey = key.publicKey.slice();
  const identity: Identity = Object.freeze({
    publicKey,
    author: authorIdOf(publicKey),
    sign: (message: Uint8Array) => key.sign(message),
  });
  internals.set(identity, { port, key });
  return identity;
}

/** Creates a fresh identity on `port` (default: {@link defaultEd25519}). */
export async function generateIdentity(port?: Ed25519Port): Promise<Identity> {
  const p = port ?? (await defaultEd25519());
  return wrap(p, await p.generate());
}

/**
 * The identity's seed and public key, for backup or moving to another device. Keep it secret.
 * Throws `E_KEY` for an object that did not come from this module.
 */
export async function exportIdentity(identity: Identity): Promise<ExportedIdentity> {
  const inner = internals.get(identity);
  if (inner === undefined) throw new WeftError('E_KEY', 'not an identity created by generateIdentity/importIdentity');
  const secretKey = await inner.port.exportSecret(inner.key);
  return { v: 1, publicKey: identity.publicKey.slice(), secretKey };
}

/**
 * Rebuilds an identity from {@link exportIdentity}'s output on `port` (default: {@link defaultEd25519}).
 * Throws `E_KEY` for a wrong version, wrong lengths, or a public key that does not match the seed.
 */
export async function importIdentity(exported: ExportedIdentity, port?: Ed25519Port): Promise<Identity> {
  const e = exported as Partial<Record<keyof ExportedIdentity, unknown>> | null | undefined;
  if (typeof e !== 'object' || e === null || e.v !== 1) throw new WeftError('E_KEY', 'unsupported exported identity');
  const { secretKey, publicKey } = e;
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) {
    throw new WeftError('E_KEY', 'exported identity: secret key must be 32 bytes');
  }
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new WeftError('E_KEY', 'exported identity: public key must be 32 bytes');
  }
  const p = port ?? (await defaultEd25519());
  const key = await p.importSecret(secretKey);
  if (!equalBytes(key.publicKey, publicKey)) {
    throw new WeftError('E_KEY', 'exported identity: public key does not match the secret key');
  }
  return wrap(p, key);
}

/**
 * String form of an exported identity: `weft-key-v1:` + base64url(seed ‖ public key).
 * The public key rides along as a check value: {@link importIdentity} recomputes it from the seed,
 * so a mistyped or truncated key string fails with `E_KEY` instead of becoming another author.
 */
export function encodeExportedIdentity(exported: ExportedIdentity): string {
  const { secretKey, publicKey } = exported;
  if (secretKey.length !== 32 || publicKey.length !== 32)
    throw new WeftError('E_KEY', 'exported identity: bad lengths');
  const both = new Uint8Array(64);
  both.set(secretKey);
  both.set(publicKey, 32);
  const s = EXPORTED_IDENTITY_PREFIX + toBase64Url(both);
  both.fill(0);
  return s;
}

/**
 * Parses {@link encodeExportedIdentity}'s output (surrounding whitespace allowed). Only the format
 * is checked here; pass the result to {@link importIdentity}, which checks the keys match.
 */
export function decodeExportedIdentity(text: string): ExportedIdentity {
  const s = typeof text === 'string' ? text.trim() : '';
  if (!s.startsWith(EXPORTED_IDENTITY_PREFIX)) throw new WeftError('E_KEY', 'not a weft-key-v1 string');
  const bytes = fromBase64Url(s.slice(EXPORTED_IDENTITY_PREFIX.length));
  if (bytes?.length !== 64) throw new WeftError('E_KEY', 'malformed weft-key-v1 string');
  return { v: 1, secretKey: bytes.slice(0, 32), publicKey: bytes.slice(32) };
}
