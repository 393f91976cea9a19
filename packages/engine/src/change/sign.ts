/**
 * Creating, parsing and verifying signed changes.
 *
 * Parsing (ingest steps 1-3) is synchronous and cheap; verification (step 4) is the only async
 * step, so callers verify a whole batch concurrently before touching any state.
 */
import { WeftError } from '../errors.ts';
import { changeHashOf, type ChangeHash, type DbId } from '../ids.ts';
import { hashWithDomain } from '../crypto/sha256.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';
import { fromHex } from '../bytes.ts';
import type { Hlc } from '../clock/hlc.ts';
import {
  CHANGE_DOMAIN,
  DEFAULT_CHANGE_LIMITS,
  decodeChangeBody,
  decodeWire,
  encodeChangeBody,
  encodeWire,
  type Change,
  type ChangeLimits,
  type SignedChange,
} from './change.ts';
import type { Op } from './op.ts';

/** The hash of a change body. */
export function hashBody(body: Uint8Array): ChangeHash {
  return changeHashOf(hashWithDomain(CHANGE_DOMAIN, body));
}

/** A change encoded and hashed, not yet signed. */
export interface UnsignedChange {
  readonly change: Change;
  readonly hash: ChangeHash;
  readonly body: Uint8Array;
  readonly hashBytes: Uint8Array;
}

/**
 * Encodes and hashes `change` (whose author `identity` must be). The hash is known before the
 * signature, so a chain of changes can be built in order and then signed concurrently.
 */
export function prepareChange(identity: Identity, change: Change): UnsignedChange {
  if (identity.author !== change.author) throw new WeftError('E_KEY', 'identity is not the change author');
  const body = encodeChangeBody(change);
  const hashBytes = hashWithDomain(CHANGE_DOMAIN, body);
  return { change, hash: changeHashOf(hashBytes), body, hashBytes };
}

/** Signs a change made by {@link prepareChange}. */
export async function signPrepared(identity: Identity, u: UnsignedChange): Promise<SignedChange> {
  const bytes = encodeWire(u.body, await identity.sign(u.hashBytes));
  // Views into the wire bytes, as parseChange gives: one buffer per change, not three.
  const { body, sig } = decodeWire(bytes);
  return { change: u.change, hash: u.hash, body, sig, bytes };
}

/** Encodes, hashes and signs `change` with `identity` (which must be its author). */
export async function signChange(identity: Identity, change: Change): Promise<SignedChange> {
  return signPrepared(identity, prepareChange(identity, change));
}

/**
 * Ingest steps 1-3: size caps, strict decode, hash. Throws `E_TOO_LARGE`, `E_DECODE` or, when
 * `expectedHash` is given and differs, `E_HASH`.
 */
export function parseChange(
  bytes: Uint8Array,
  limits: ChangeLimits = DEFAULT_CHANGE_LIMITS,
  expectedHash?: ChangeHash,
): SignedChange {
  if (!(bytes instanceof Uint8Array)) throw new WeftError('E_DECODE', 'change is not bytes');
  if (bytes.length > limits.maxBytes)
    throw new WeftError('E_TOO_LARGE', `change of ${bytes.length} bytes exceeds ${limits.maxBytes}`);
  const { body, sig } = decodeWire(bytes);
  const change = decodeChangeBody(body, limits);
  const hash = hashBody(body);
  if (expectedHash !== undefined && hash !== expectedHash)
    throw new WeftError('E_HASH', `change hashes to ${hash}, expected ${expectedHash}`);
  return { change, hash, body, sig, bytes };
}

/** Ingest step 4: checks the author's signature over the change hash. */
export async function verifyChange(port: Ed25519Port, sc: SignedChange): Promise<boolean> {
  return port.verify(fromHex(sc.change.author), fromHex(sc.hash), sc.sig);
}

/** Builds and signs a genesis change; its hash is the new database's id. */
export async function createGenesis(
  identity: Identity,
  options: { name: string; hlc: Hlc; nonce: Uint8Array; schema?: string | null; ops?: readonly Op[] },
): Promise<{ dbId: DbId; genesis: SignedChange }> {
  const change: Change = {
    v: 1,
    db: null,
    author: identity.author,
    seq: 1,
    deps: [],
    hlc: options.hlc,
    schema: options.schema ?? null,
    ops: [{ k: 'genesis', name: options.name, nonce: options.nonce }, ...(options.ops ?? [])],
  };
  const genesis = await signChange(identity, change);
  return { dbId: genesis.hash as string as DbId, genesis };
}
