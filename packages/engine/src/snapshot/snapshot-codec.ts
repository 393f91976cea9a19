/**
 * The signed snapshot checkpoint: the materialized state of a causally closed set of changes,
 * with everything a replica needs to go on from it without the changes themselves.
 *
 *   body = canonical {
 *     v: 1, db: bytes32, at: [ms, c],          database id, the creator's HLC high-water mark
 *     genesis: wire bytes,                     self-certifying: its hash is the database id
 *     authors: [bytes32 …],                    author table
 *     changes: [[hash32, author#, seq, [dep# …], status, reason] …]   the DAG skeleton, topological
 *     bodies: [wire bytes …],                  full changes kept for history / rules (optional)
 *     docs: [encodeDocState bytes …],          every doc (tombstones too), sorted by key
 *   }
 *   hash = sha256("weft/snapshot/v1" ‖ body)
 *   wire = canonical [body, hash, signer32, ed25519(signer, hash)]
 *
 * `dep#` indexes earlier entries of `changes`, so the skeleton is causally closed by
 * construction. The heads and the version vector are derived from it, never stated twice.
 */
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { fromHex, toHex } from '../bytes.ts';
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { AuthorId, ChangeHash, DbId } from '../ids.ts';
import type { ChangeStatus } from '../log/change-log.ts';
import { hashWithDomain } from '../crypto/sha256.ts';

/** Domain separation for snapshot hashes. */
export const SNAPSHOT_DOMAIN = 'weft/snapshot/v1';

/** One covered change's place in the DAG. */
export interface SkeletonEntry {
  readonly hash: ChangeHash;
  readonly author: AuthorId;
  readonly seq: number;
  readonly deps: readonly ChangeHash[];
  readonly status: ChangeStatus;
  readonly reason: WeftErrorCode | null;
}

/** A decoded snapshot body. */
export interface SnapshotBody {
  readonly db: DbId;
  readonly at: { readonly ms: number; readonly c: number };
  readonly genesis: Uint8Array;
  readonly changes: readonly SkeletonEntry[];
  readonly bodies: readonly Uint8Array[];
  readonly docs: readonly Uint8Array[];
}

/** The outer, signed form. */
export interface SnapshotEnvelope {
  readonly body: Uint8Array;
  readonly hash: Uint8Array;
  readonly signer: AuthorId;
  readonly sig: Uint8Array;
}

function bad(message: string): never {
  throw new WeftError('E_DECODE', `snapshot: ${message}`);
}

/** The snapshot hash of `body`. */
export function snapshotHash(body: Uint8Array): Uint8Array {
  return hashWithDomain(SNAPSHOT_DOMAIN, body);
}

/** Encodes a body. */
export function encodeSnapshotBody(b: SnapshotBody): Uint8Array {
  const authorIndex = new Map<string, number>();
  const index = new Map<string, number>();
  const authors: Uint8Array[] = [];
  const changes: CanonicalValue[] = b.changes.map((e, i) => {
    let a = authorIndex.get(e.author);
    if (a === undefined) authorIndex.set(e.author, (a = authors.push(fromHex(e.author)) - 1));
    const deps = e.deps.map((d) => index.get(d) ?? bad(`dep ${d} of ${e.hash} is not listed before it`));
    index.set(e.hash, i);
    return [fromHex(e.hash), a, e.seq, deps, e.status === 'applied' ? 0 : 1, e.reason];
  });
  return encode({
    v: 1,
    db: fromHex(b.db),
    at: [b.at.ms, b.at.c],
    genesis: b.genesis,
    authors,
    changes,
    bodies: [...b.bodies],
    docs: [...b.docs],
  });
}

const isBytes = (x: unknown, n?: number): x is Uint8Array =>
  x instanceof Uint8Array && (n === undefined || x.length === n);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Decodes and shape-checks a body; throws `E_DECODE`. */
export function decodeSnapshotBody(bytes: Uint8Array): SnapshotBody {
  const raw = decode(bytes) as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || raw.v !== 1) bad('unknown version');
  const { db, at, genesis, authors, changes, bodies, docs } = raw;
  if (!isBytes(db, 32) || !isBytes(genesis)) bad('bad db or genesis');
  if (!Array.isArray(at) || at.length !== 2 || !isCount(at[0]) || !isCount(at[1])) bad('bad clock');
  if (!Array.isArray(authors) || !authors.every((a) => isBytes(a, 32))) bad('bad author table');
  if (!Array.isArray(bodies) || !bodies.every((x) => isBytes(x))) bad('bad bodies');
  if (!Array.isArray(docs) || !docs.every((x) => isBytes(x))) bad('bad docs');
  if (!Array.isArray(changes) || changes.length === 0) bad('no changes');
  const authorIds = (authors as Uint8Array[]).map((a) => toHex(a) as AuthorId);
  const hashes: ChangeHash[] = [];
  const skeleton = changes.map((row: unknown, i): SkeletonEntry => {
    if (!Array.isArray(row) || row.length !== 6) bad(`bad change ${i}`);
    const [hash, a, seq, deps, status, reason] = row as unknown[];
    if (!isBytes(hash, 32) || !isCount(a) || a >= authorIds.length || !isCount(seq) || seq < 1) bad(`bad change ${i}`);
    if (!Array.isArray(deps) || !deps.every((d) => isCount(d) && d < i)) bad(`change ${i} has deps not before it`);
    if ((status !== 0 && status !== 1) || (reason !== null && typeof reason !== 'string')) bad(`bad verdict ${i}`);
    const h = toHex(hash) as ChangeHash;
    hashes.push(h);
    return {
      hash: h,
      author: authorIds[a]!,
      seq,
      deps: (deps as number[]).map((d) => hashes[d]!).sort(),
      status: status === 0 ? 'applied' : 'rejected',
      reason: reason as WeftErrorCode | null,
    };
  });
  return {
    db: toHex(db) as DbId,
    at: { ms: at[0], c: at[1] },
    genesis,
    changes: skeleton,
    bodies: bodies as Uint8Array[],
    docs: docs as Uint8Array[],
  };
}

/** Encodes the signed envelope. */
export function encodeEnvelope(e: SnapshotEnvelope): Uint8Array {
  return encode([e.body, e.hash, fromHex(e.signer), e.sig]);
}

/** Decodes the signed envelope; throws `E_DECODE`. */
export function decodeEnvelope(bytes: Uint8Array): SnapshotEnvelope {
  if (!(bytes instanceof Uint8Array)) bad('not bytes');
  const raw = decode(bytes);
  if (!Array.isArray(raw) || raw.length !== 4) bad('bad envelope');
  const [body, hash, signer, sig] = raw as unknown[];
  if (!isBytes(body) || !isBytes(hash, 32) || !isBytes(signer, 32) || !isBytes(sig, 64)) bad('bad envelope');
  return { body, hash, signer: toHex(signer) as AuthorId, sig };
}
