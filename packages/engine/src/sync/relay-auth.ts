/**
 * Proving a key to a relay (or a peer): the server sends a fresh random challenge, the client
 * signs it together with the database id and the server's id, the server verifies. Binding the
 * database and the server into the signed message means a signature captured on one relay or
 * for one database is useless anywhere else; the challenge being fresh and single-use means it
 * cannot be replayed on the same one.
 *
 * Control messages are JSON text frames; {@link parseControl} rejects anything else with
 * `E_PROTOCOL`.
 */
import { WeftError } from '../errors.ts';
import { fromHex, toBase64Url, toHex, utf8 } from '../bytes.ts';
import { fromBase64Url } from '../crypto/webcrypto-ed25519.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';

/** Domain separator of the signed challenge. */
export const RELAY_AUTH_DOMAIN = 'weft-relay-auth-v1';

/** Server → client: prove your key. */
export interface ChallengeMessage {
  readonly t: 'challenge';
  readonly nonce: string;
  readonly server: string;
}
/** Client → server: the proof. */
export interface AuthMessage {
  readonly t: 'auth';
  readonly author: string;
  readonly sig: string;
}
/** Server → client: authenticated; binary sync frames may flow. */
export interface ReadyMessage {
  readonly t: 'ready';
  /** Other authenticated peers in the room. */
  readonly peers: readonly string[];
}
/** Either way: signaling for a direct connection, routed by author id. */
export interface SignalMessage {
  readonly t: 'signal';
  readonly from?: string;
  readonly to: string;
  readonly data: unknown;
}
/** Server → client: room membership changed. */
export interface PeersMessage {
  readonly t: 'peers';
  readonly peers: readonly string[];
}

export type ControlMessage = ChallengeMessage | AuthMessage | ReadyMessage | SignalMessage | PeersMessage;

/** Largest control message accepted. */
export const MAX_CONTROL_BYTES = 64 * 1024;

/** Parses a control text frame (`E_PROTOCOL` on anything malformed). */
export function parseControl(text: string): ControlMessage {
  if (text.length > MAX_CONTROL_BYTES) throw new WeftError('E_TOO_LARGE', 'control message too large');
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    throw new WeftError('E_PROTOCOL', 'control message is not JSON');
  }
  const o = m as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string';
  if (typeof m !== 'object' || m === null) throw new WeftError('E_PROTOCOL', 'control message is not an object');
  const ok =
    (o.t === 'challenge' && str('nonce') && str('server')) ||
    (o.t === 'auth' && str('author') && str('sig')) ||
    ((o.t === 'ready' || o.t === 'peers') && Array.isArray(o.peers) && o.peers.every((p) => typeof p === 'string')) ||
    (o.t === 'signal' && str('to'));
  if (!ok) throw new WeftError('E_PROTOCOL', `malformed control message "${String(o.t)}"`);
  return m as ControlMessage;
}

function message(db: string, server: string, nonce: string): Uint8Array {
  return utf8(`${RELAY_AUTH_DOMAIN}\n${db}\n${server}\n${nonce}`);
}

/** A fresh challenge (32 random bytes). */
export function newChallenge(server: string, random: (n: number) => Uint8Array): ChallengeMessage {
  return { t: 'challenge', nonce: toBase64Url(random(32)), server };
}

/** Signs a challenge for database `db`. */
export async function answerChallenge(identity: Identity, db: string, c: ChallengeMessage): Promise<AuthMessage> {
  const sig = await identity.sign(message(db, c.server, c.nonce));
  return { t: 'auth', author: identity.author, sig: toBase64Url(sig) };
}

/** Verifies an answer; returns the proven author id or throws `E_SIGNATURE`/`E_PROTOCOL`. */
export async function verifyAnswer(
  port: Ed25519Port,
  db: string,
  c: ChallengeMessage,
  a: AuthMessage,
): Promise<string> {
  if (!/^[0-9a-f]{64}$/.test(a.author)) throw new WeftError('E_PROTOCOL', 'author must be 64 hex characters');
  const sig = fromBase64Url(a.sig);
  if (sig === undefined) throw new WeftError('E_PROTOCOL', 'signature is not base64url');
  const ok = sig.length === 64 && (await port.verify(fromHex(a.author), message(db, c.server, c.nonce), sig));
  if (!ok) throw new WeftError('E_SIGNATURE', 'challenge signature does not verify');
  return toHex(fromHex(a.author));
}
