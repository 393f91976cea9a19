/**
 * Sync protocol messages and their codec. Pure functions over plain data.
 *
 *   hello   { protocol, db, schema, vv, heads, round, window, reply }
 *   changes { round, batch[], done }   a batch of wire changes, topologically ordered
 *   need    { hashes[] }               ask for specific changes (missing deps, unknown heads)
 *   credit  { round, n, vv }           flow control: n more changes may be sent; vv acks
 *   error   { code, message }
 *   presence { p }                     ephemeral: who is here, cursors (sync/presence.ts)
 *
 * Invariants:
 *  1. decodeMessage accepts exactly what encodeMessage produces (canonical, typed, bounded);
 *     anything else throws `E_PROTOCOL` (or `E_TOO_LARGE` for oversized frames).
 *  2. Every message is idempotent to receive twice, so lossy or duplicating transports only cost
 *     bandwidth, never correctness.
 */
import { WeftError, ERROR_CODES, type WeftErrorCode } from '../errors.ts';
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { ChangeHash, DbId } from '../ids.ts';
import type { VersionVector } from '../log/change-log.ts';

/** The sync protocol version this engine speaks. */
export const PROTOCOL_VERSION = 1;

/** Opening (and anti-entropy) message. */
export interface HelloMessage {
  readonly t: 'hello';
  readonly protocol: number;
  readonly db: DbId;
  readonly schema: string | null;
  readonly vv: VersionVector;
  readonly heads: readonly ChangeHash[];
  readonly round: number;
  readonly window: number;
  /** True when this hello answers the peer's; false asks the peer to answer with its own. */
  readonly reply: boolean;
}

/** A batch of changes. */
export interface ChangesMessage {
  readonly t: 'changes';
  readonly round: number;
  readonly batch: readonly Uint8Array[];
  /** True on the batch that empties the sender's queue. */
  readonly done: boolean;
}

/** A request for specific changes. */
export interface NeedMessage {
  readonly t: 'need';
  readonly hashes: readonly ChangeHash[];
}

/** Credit grant plus acknowledgement. */
export interface CreditMessage {
  readonly t: 'credit';
  readonly round: number;
  readonly n: number;
  readonly vv: VersionVector;
}

/** A protocol error; the sender closes after it. */
export interface ErrorMessage {
  readonly t: 'error';
  readonly code: WeftErrorCode;
  readonly message: string;
}

/**
 * Presence, never stored. `p` is checked by `parsePresence` only when it is used, so a
 * malformed one is dropped without failing the session (sync/presence.ts).
 */
export interface PresenceMessage {
  readonly t: 'presence';
  readonly p: CanonicalValue;
}

/** Any sync message. */
export type SyncMessage = HelloMessage | ChangesMessage | NeedMessage | CreditMessage | ErrorMessage | PresenceMessage;

/** Caps on what a peer may send in one message. */
export interface MessageLimits {
  readonly maxFrameBytes: number;
  readonly maxBatch: number;
  readonly maxHashes: number;
  readonly maxAuthors: number;
}

/** Defaults. */
export const DEFAULT_MESSAGE_LIMITS: MessageLimits = {
  maxFrameBytes: 16 * 1024 * 1024,
  maxBatch: 4096,
  maxHashes: 4096,
  maxAuthors: 100_000,
};

function encodeVv(vv: VersionVector): CanonicalValue {
  return Object.keys(vv)
    .sort()
    .map((a) => [fromHex(a), vv[a]!]);
}

function encodeHashes(hs: readonly string[]): CanonicalValue {
  return hs.map((h) => fromHex(h));
}

/** Encodes a message to one frame. */
export function encodeMessage(m: SyncMessage): Uint8Array {
  switch (m.t) {
    case 'hello':
      return encode({
        t: 'hello',
        p: m.protocol,
        db: fromHex(m.db),
        sc: m.schema === null ? null : fromHex(m.schema),
        vv: encodeVv(m.vv),
        hd: encodeHashes(m.heads),
        r: m.round,
        w: m.window,
        re: m.reply,
      });
    case 'changes':
      return encode({ t: 'changes', r: m.round, b: m.batch as Uint8Array[], d: m.done });
    case 'need':
      return encode({ t: 'need', h: encodeHashes(m.hashes) });
    case 'credit':
      return encode({ t: 'credit', r: m.round, n: m.n, vv: encodeVv(m.vv) });
    case 'error':
      return encode({ t: 'error', c: m.code, m: m.message.slice(0, 500) });
    case 'presence':
      return encode({ t: 'presence', p: m.p });
  }
}

function bad(msg: string): never {
  throw new WeftError('E_PROTOCOL', msg);
}

function uint(v: CanonicalValue | undefined, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) bad(`${what} must be a non-negative integer`);
  return v;
}

function hash(v: CanonicalValue | undefined, what: string): string {
  if (!(v instanceof Uint8Array) || v.length !== 32) bad(`${what} must be 32 bytes`);
  return toHex(v);
}

function hashes(v: CanonicalValue | undefined, max: number): ChangeHash[] {
  if (!Array.isArray(v) || v.length > max) bad('hash list malformed or too long');
  return v.map((h) => hash(h, 'hash') as ChangeHash);
}

function decodeVv(v: CanonicalValue | undefined, max: number): VersionVector {
  if (!Array.isArray(v) || v.length > max) bad('version vector malformed or too long');
  const vv: VersionVector = {};
  for (const pair of v) {
    if (!Array.isArray(pair) || pair.length !== 2) bad('version vector entry malformed');
    vv[hash(pair[0], 'author')] = uint(pair[1], 'seq');
  }
  return vv;
}

function keysAre(m: Record<string, CanonicalValue>, keys: string): void {
  if (Object.keys(m).sort().join(',') !== keys) bad(`unexpected fields in ${String(m.t)} message`);
}

/** Decodes one frame; throws `E_PROTOCOL` or `E_TOO_LARGE` for anything malformed. */
export function decodeMessage(frame: Uint8Array, limits: MessageLimits = DEFAULT_MESSAGE_LIMITS): SyncMessage {
  if (!(frame instanceof Uint8Array)) bad('frame is not bytes');
  if (frame.length > limits.maxFrameBytes) throw new WeftError('E_TOO_LARGE', `frame of ${frame.length} bytes`);
  let raw: CanonicalValue;
  try {
    raw = decode(frame);
  } catch (err) {
    bad(`undecodable frame: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) bad('not a map');
  const m = raw as Record<string, CanonicalValue>;
  switch (m.t) {
    case 'hello': {
      keysAre(m, 'db,hd,p,r,re,sc,t,vv,w');
      if (typeof m.re !== 'boolean') bad('reply flag must be boolean');
      return {
        t: 'hello',
        protocol: uint(m.p, 'protocol'),
        db: hash(m.db, 'db') as DbId,
        schema: m.sc === null ? null : hash(m.sc, 'schema'),
        vv: decodeVv(m.vv, limits.maxAuthors),
        heads: hashes(m.hd, limits.maxHashes),
        round: uint(m.r, 'round'),
        window: uint(m.w, 'window'),
        reply: m.re,
      };
    }
    case 'changes': {
      keysAre(m, 'b,d,r,t');
      if (!Array.isArray(m.b) || m.b.length > limits.maxBatch) bad('batch malformed or too long');
      for (const c of m.b) if (!(c instanceof Uint8Array)) bad('batch entry must be bytes');
      if (typeof m.d !== 'boolean') bad('done flag must be boolean');
      return { t: 'changes', round: uint(m.r, 'round'), batch: m.b as Uint8Array[], done: m.d };
    }
    case 'need':
      keysAre(m, 'h,t');
      return { t: 'need', hashes: hashes(m.h, limits.maxHashes) };
    case 'credit':
      keysAre(m, 'n,r,t,vv');
      return { t: 'credit', round: uint(m.r, 'round'), n: uint(m.n, 'credit'), vv: decodeVv(m.vv, limits.maxAuthors) };
    case 'error': {
      keysAre(m, 'c,m,t');
      const code = (ERROR_CODES as readonly string[]).includes(m.c as string) ? (m.c as WeftErrorCode) : 'E_PROTOCOL';
      if (typeof m.m !== 'string') bad('error message must be text');
      return { t: 'error', code, message: m.m };
    }
    case 'presence':
      keysAre(m, 'p,t');
      return { t: 'presence', p: m.p! };
    default:
      return bad('unknown message type');
  }
}

/** Authors where `theirs` is ahead of `ours` (the version-vector diff). */
export function vvAhead(theirs: VersionVector, ours: VersionVector): string[] {
  return Object.keys(theirs).filter((a) => theirs[a]! > (ours[a] ?? 0));
}
