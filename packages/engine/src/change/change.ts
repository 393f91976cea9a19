/**
 * The change: Weft's signed unit.
 *
 *   Change = { v: 1, db, author, seq, deps[], hlc, schema, ops[] } + sig
 *   hash   = sha256("weft/change/v1" ‖ body)        body = canonical(Change without sig)
 *   sig    = Ed25519(author key, hash)
 *   wire   = canonical([body, sig])
 *
 * Invariants:
 *  1. The hash covers the exact body bytes received; nothing is re-encoded to check it, and the
 *     strict decoder guarantees those bytes are the only encoding of the change.
 *  2. `deps` is sorted and duplicate-free, so one set of deps has one encoding.
 *  3. Genesis changes have `db: null`, `seq: 1`, no deps, and a genesis op first; the database id
 *     is the genesis hash. Every other change names its database, so it cannot be replayed into
 *     another one.
 *  4. Structural validation here is total: every field and op is type-checked, so later stages
 *     only deal with well-formed data.
 */
import { WeftError } from '../errors.ts';
import { compareBytes, fromHex, toHex } from '../bytes.ts';
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { isHlc, type Hlc } from '../clock/hlc.ts';
import { isDocId, isName, type AuthorId, type ChangeHash, type DbId } from '../ids.ts';
import type { Op } from './op.ts';
import { SEAL_OP_FIELDS, checkSealLayout, isSealKind, validateSealOp } from '../encryption/seal-ops.ts';

/** The unsigned content of a change, decoded. */
export interface Change {
  readonly v: 1;
  /** The database id, or null for a genesis change. */
  readonly db: DbId | null;
  readonly author: AuthorId;
  readonly seq: number;
  /** Hashes of the heads the author had seen, sorted; includes the author's own `seq - 1`. */
  readonly deps: readonly ChangeHash[];
  readonly hlc: Hlc;
  /** Hash of the schema version the ops follow, or null for schemaless databases. */
  readonly schema: string | null;
  readonly ops: readonly Op[];
}

/** A change with its identity and signature, as stored and shipped. */
export interface SignedChange {
  readonly change: Change;
  readonly hash: ChangeHash;
  /** The canonical body bytes the hash and signature cover. */
  readonly body: Uint8Array;
  readonly sig: Uint8Array;
  /** The wire form: canonical([body, sig]). */
  readonly bytes: Uint8Array;
}

/** Size caps checked before anything else (ingest step 1). */
export interface ChangeLimits {
  readonly maxBytes: number;
  readonly maxOps: number;
  readonly maxDeps: number;
}

/** Default caps: large enough for a 1,000-keystroke text burst or a 10,000-doc bulk insert. */
export const DEFAULT_CHANGE_LIMITS: ChangeLimits = { maxBytes: 4 * 1024 * 1024, maxOps: 20_000, maxDeps: 256 };

/** Domain separation for change hashes. */
export const CHANGE_DOMAIN = 'weft/change/v1';

const MAX_PATH = 8;
const MAX_SEQ = 2 ** 33;

function bad(msg: string): never {
  throw new WeftError('E_DECODE', msg);
}

/** Encodes a change body canonically (the bytes that get hashed). */
export function encodeChangeBody(change: Change): Uint8Array {
  return encode(changeToCanonical(change));
}

function changeToCanonical(c: Change): CanonicalValue {
  return {
    v: 1,
    db: c.db === null ? null : fromHex(c.db),
    a: fromHex(c.author),
    s: c.seq,
    d: c.deps.map((h) => fromHex(h)),
    h: [c.hlc.ms, c.hlc.c],
    sc: c.schema === null ? null : fromHex(c.schema),
    o: c.ops as unknown as CanonicalValue,
  };
}

/** Encodes the wire form of a signed change. */
export function encodeWire(body: Uint8Array, sig: Uint8Array): Uint8Array {
  return encode([body, sig]);
}

/**
 * Splits wire bytes into body and signature, strictly: exactly the canonical encoding of
 * `[body, sig]` (a 2-array, a minimally sized byte string, a 64-byte string, nothing after).
 * Parsed by hand rather than with the general decoder so that `body` and `sig` are views into
 * `bytes`, not copies: a replica keeps all three for every change it holds.
 */
export function decodeWire(bytes: Uint8Array): { body: Uint8Array; sig: Uint8Array } {
  const n = bytes.length;
  if (n < 3 || bytes[0] !== 0x82) bad('change wire form must be [body, sig]');
  const head = bytes[1]!;
  if (head >> 5 !== 2) bad('change body must be bytes');
  const ai = head & 0x1f;
  let len: number;
  let p: number;
  if (ai < 24) [len, p] = [ai, 2];
  else if (ai === 24 && n > 2) [len, p] = [bytes[2]!, 3];
  else if (ai === 25 && n > 3) [len, p] = [(bytes[2]! << 8) | bytes[3]!, 4];
  else if (ai === 26 && n > 5)
    [len, p] = [((bytes[2]! << 24) >>> 0) + ((bytes[3]! << 16) | (bytes[4]! << 8) | bytes[5]!), 6];
  else bad('change body length is not a canonical length');
  // Canonical: the shortest length encoding (same rule as encoding/canonical.ts).
  if ((ai === 24 && len < 24) || (ai === 25 && len < 0x100) || (ai === 26 && len < 0x10000))
    bad('change body length is not minimally encoded');
  const end = p + len;
  if (end + 2 + 64 !== n) bad('change wire form must be [body, sig] with a 64-byte signature and nothing after');
  if (bytes[end] !== 0x58 || bytes[end + 1] !== 0x40) bad('signature must be 64 bytes');
  return { body: bytes.subarray(p, end), sig: bytes.subarray(end + 2) };
}

function hash32(v: CanonicalValue | undefined, what: string): string {
  if (!(v instanceof Uint8Array) || v.length !== 32) bad(`${what} must be 32 bytes`);
  return toHex(v);
}

/** Decodes and structurally validates a change body. */
export function decodeChangeBody(body: Uint8Array, limits: ChangeLimits = DEFAULT_CHANGE_LIMITS): Change {
  const raw = decode(body);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw instanceof Uint8Array)
    bad('change body must be a map');
  const m = raw as Record<string, CanonicalValue>;
  const keys = Object.keys(m);
  if (keys.length !== 8) bad('change body has unexpected fields');
  if (m.v !== 1) bad('unsupported change version');
  const db = m.db === null ? null : (hash32(m.db, 'db') as DbId);
  const author = hash32(m.a, 'author') as AuthorId;
  const seq = m.s;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1 || seq > MAX_SEQ) bad('seq out of range');
  const depsRaw = m.d;
  if (!Array.isArray(depsRaw)) bad('deps must be an array');
  if (depsRaw.length > limits.maxDeps) throw new WeftError('E_TOO_LARGE', `more than ${limits.maxDeps} deps`);
  const deps: ChangeHash[] = [];
  for (let i = 0; i < depsRaw.length; i++) {
    const d = depsRaw[i] as CanonicalValue;
    if (!(d instanceof Uint8Array) || d.length !== 32) bad('dep must be 32 bytes');
    if (i > 0 && compareBytes(depsRaw[i - 1] as Uint8Array, d) >= 0) bad('deps must be sorted and unique');
    deps.push(toHex(d) as ChangeHash);
  }
  const h = m.h;
  if (!Array.isArray(h) || h.length !== 2) bad('hlc must be [ms, counter]');
  const hlc = { ms: h[0] as number, c: h[1] as number };
  if (!isHlc(hlc)) bad('hlc out of range');
  const schema = m.sc === null ? null : hash32(m.sc, 'schema');
  const opsRaw = m.o;
  if (!Array.isArray(opsRaw)) bad('ops must be an array');
  if (opsRaw.length > limits.maxOps) throw new WeftError('E_TOO_LARGE', `more than ${limits.maxOps} ops`);
  if (opsRaw.length === 0) bad('a change needs at least one op');
  const ops = opsRaw as Op[];
  for (let i = 0; i < ops.length; i++) validateOp(ops[i], i);
  checkSealLayout(ops);
  if (db === null) {
    if (seq !== 1 || deps.length !== 0) bad('genesis must have seq 1 and no deps');
    if (ops[0]!.k !== 'genesis') bad('genesis change must start with a genesis op');
  }
  return { v: 1, db, author, seq, deps, hlc, schema, ops };
}

function isPlainMap(v: unknown): v is Record<string, CanonicalValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function validatePath(p: CanonicalValue | undefined): void {
  if (!Array.isArray(p) || p.length === 0 || p.length > MAX_PATH) bad('op path must be 1-8 names');
  for (const seg of p) if (!isName(seg)) bad('op path segment is not a valid name');
}

const OP_FIELDS: Record<string, readonly string[]> = {
  set: ['c', 'd', 'k', 'p', 'v'],
  inc: ['c', 'd', 'k', 'n', 'p'],
  add: ['c', 'd', 'k', 'p', 'v'],
  rem: ['c', 'd', 'k', 'p', 't', 'v'],
  del: ['c', 'd', 'k'],
  seq: ['c', 'd', 'k', 'p', 'x'],
  genesis: ['k', 'name', 'nonce'],
};

const TAG_RE = /^[0-9a-f]{64}:\d{1,6}$/;

/**
 * Structural validation of one op; throws `E_DECODE`. Also accepts the `keys`/`enc` ops of an
 * encrypted database (encryption/seal-ops.ts, whose invariant 3 says why `Op` omits them).
 */
export function validateOp(op: unknown, index: number): asserts op is Op {
  if (!isPlainMap(op)) bad(`op ${index} must be a map`);
  const seal = isSealKind(op.k);
  const fields = seal ? SEAL_OP_FIELDS[op.k as 'keys' | 'enc'] : OP_FIELDS[op.k as string];
  if (fields === undefined) bad(`op ${index} has unknown kind`);
  // Same key count and every expected key present ⇒ exactly the expected keys (no sort, no copy).
  let n = 0;
  for (const _ in op) n++;
  if (n !== fields.length) bad(`op ${index} has unexpected fields`);
  for (const f of fields) if (!(f in op)) bad(`op ${index} has unexpected fields`);
  if (seal) return validateSealOp(op, index);
  if (op.k === 'genesis') {
    if (index !== 0) bad('genesis op must come first');
    if (typeof op.name !== 'string' || op.name.length > 200) bad('genesis name must be a short string');
    if (!(op.nonce instanceof Uint8Array) || op.nonce.length !== 16) bad('genesis nonce must be 16 bytes');
    return;
  }
  if (!isName(op.c)) bad(`op ${index} collection is not a valid name`);
  if (!isDocId(op.d)) bad(`op ${index} doc id is not valid`);
  if (op.k === 'del') return;
  validatePath(op.p);
  if (op.k === 'inc' && (typeof op.n !== 'number' || !Number.isSafeInteger(op.n))) bad('inc amount must be an integer');
  if (op.k === 'rem') {
    const t = op.t;
    if (!Array.isArray(t)) bad('remove tags must be an array');
    for (const tag of t) if (typeof tag !== 'string' || !TAG_RE.test(tag)) bad('remove tag is malformed');
  }
}
