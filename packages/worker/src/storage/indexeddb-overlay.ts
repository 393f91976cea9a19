/**
 * Journaled batches that are not fully drained yet, and how reads see through them
 * (indexeddb-journal.ts, invariant 3): a key's value is decided by the newest batch that says
 * anything about it, else by what IndexedDB holds.
 */
import type { Entry, StoreName, WriteOp } from '@weft/engine';
import { decodeBatch } from './indexeddb-journal.ts';

/** Latin1 string of `bytes`: one code unit per byte, so string order is byte order. */
export function keyString(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 4096)
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + 4096) as unknown as number[]);
  return s;
}

function keyBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** One store's view of a batch: last write per key (with its op index) and deleted ranges. */
interface StoreIndex {
  readonly writes: Map<string, { readonly value: Uint8Array | null; readonly at: number }>;
  readonly ranges: { readonly gte: string; readonly lt: string; readonly at: number }[];
}

/**
 * A journaled batch, from its journal put until it is fully drained. It holds the journal
 * record itself (our own bytes, never the caller's, which the caller may reuse while the batch
 * waits to drain) and decodes its ops on first need: a drain or a read, both off the write path.
 */
export class PendingBatch {
  /** True once the journal put committed: only then do reads see it. */
  committed = false;
  /** Ops already copied into the port's stores. */
  applied = 0;
  private decoded: readonly WriteOp[] | undefined;
  private index: Map<StoreName, StoreIndex> | undefined;

  constructor(
    readonly seq: number,
    private readonly record: Uint8Array,
    /** The stores the batch writes. */
    readonly stores: ReadonlySet<StoreName>,
    /** How many ops it holds. */
    readonly size: number,
  ) {}

  /** A batch from its journal record alone (replayed after a crash). */
  static fromRecord(seq: number, record: Uint8Array): PendingBatch {
    const ops = decodeBatch(record);
    const b = new PendingBatch(seq, record, new Set(ops.map((op) => op.store)), ops.length);
    b.decoded = ops;
    return b;
  }

  /** The batch's ops, in order. */
  get ops(): readonly WriteOp[] {
    return (this.decoded ??= decodeBatch(this.record));
  }

  // Built on the first read only: reads are rare (cold start), writes are the hot path.
  private storeIndex(store: StoreName): StoreIndex | undefined {
    if (this.index === undefined) {
      this.index = new Map();
      this.ops.forEach((op, at) => {
        let ix = this.index!.get(op.store);
        if (ix === undefined) this.index!.set(op.store, (ix = { writes: new Map(), ranges: [] }));
        if (op.type === 'put') ix.writes.set(keyString(op.key), { value: op.value, at });
        else if (op.type === 'delete') ix.writes.set(keyString(op.key), { value: null, at });
        else ix.ranges.push({ gte: keyString(op.gte), lt: keyString(op.lt), at });
      });
    }
    return this.index.get(store);
  }

  /** What this batch leaves at `key`: bytes, null (deleted), or undefined (untouched). */
  lookup(store: StoreName, key: string): Uint8Array | null | undefined {
    const ix = this.storeIndex(store);
    if (ix === undefined) return undefined;
    const w = ix.writes.get(key);
    let deletedAt = -1;
    for (const r of ix.ranges) if (r.at > deletedAt && key >= r.gte && key < r.lt) deletedAt = r.at;
    if (w !== undefined && w.at > deletedAt) return w.value;
    return deletedAt >= 0 ? null : undefined;
  }

  /** Keys this batch writes in `store` (some may be overridden or deleted later). */
  keys(store: StoreName): Iterable<string> {
    return this.storeIndex(store)?.writes.keys() ?? [];
  }
}

/** A key's value through `batches` (oldest first), falling back to `stored`. */
export function resolve(
  batches: readonly PendingBatch[],
  store: StoreName,
  key: string,
  stored: Uint8Array | undefined,
): Uint8Array | undefined {
  for (let i = batches.length - 1; i >= 0; i--) {
    const v = batches[i]!.lookup(store, key);
    // A copy: the batch's bytes must not be changed through what a read returned.
    if (v !== undefined) return v?.slice() ?? undefined;
  }
  return stored;
}

/** Range and order of a scan, with bounds as key strings. */
export interface ScanShape {
  readonly gte?: string;
  readonly lt?: string;
  readonly reverse: boolean;
  readonly limit?: number;
}

/** Merges what IndexedDB returned for a scan (no limit applied) with the pending batches. */
export function mergeScan(
  stored: readonly Entry[],
  batches: readonly PendingBatch[],
  store: StoreName,
  shape: ScanShape,
): Entry[] {
  const candidates = new Map<string, Uint8Array | undefined>();
  for (const e of stored) candidates.set(keyString(e.key), e.value);
  const inRange = (k: string) =>
    (shape.gte === undefined || k >= shape.gte) && (shape.lt === undefined || k < shape.lt);
  for (const b of batches)
    for (const k of b.keys(store)) if (!candidates.has(k) && inRange(k)) candidates.set(k, undefined);
  const out: { k: string; value: Uint8Array }[] = [];
  for (const [k, v] of candidates) {
    const value = resolve(batches, store, k, v);
    if (value !== undefined) out.push({ k, value });
  }
  out.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  if (shape.reverse) out.reverse();
  const limited = shape.limit === undefined ? out : out.slice(0, shape.limit);
  return limited.map(({ k, value }) => ({ key: keyBytes(k), value }));
}

/**
 * Which committed batch last writes each key (indexeddb-journal.ts, invariant 4): a drain copies
 * a put or delete only if no later committed batch writes or deletes that key again, because the
 * stores end in the same state without it, and reads resolve the key through the later batch
 * until it drains. Range deletes are always copied (they are ordered against the puts around
 * them), and don't count as later writes: copying what a later range deletes is merely wasted.
 * Built when a drain runs, off the write path.
 */
export class LastWriters {
  private readonly last = new Map<string, number>();
  private folded = 0;

  /** Takes in the committed batches not seen yet (pending is in sequence order). */
  fold(pending: readonly PendingBatch[]): void {
    for (const b of pending) {
      if (!b.committed) break;
      if (b.seq <= this.folded) continue;
      for (const op of b.ops) if (op.type !== 'deleteRange') this.last.set(op.store + keyString(op.key), b.seq);
      this.folded = b.seq;
    }
  }

  /** The ops of `chunk` (from batch `seq`) a drain must still copy. */
  toCopy(chunk: readonly WriteOp[], seq: number): WriteOp[] {
    return chunk.filter(
      (op) => op.type === 'deleteRange' || (this.last.get(op.store + keyString(op.key)) ?? seq) <= seq,
    );
  }

  /** Forgets everything: call when no batch is pending. */
  clear(): void {
    this.last.clear();
  }
}
