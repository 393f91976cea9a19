/**
 * Secondary indexes as a commit extension: kept in memory for the planner, and persisted in
 * the `indexes` store in the same atomic batch as the docs they derive from.
 *
 *   indexes  keyEnc(name)                          → definition record (see below)
 *            keyEnc(name) ‖ keyEnc(fields…) ‖ keyEnc(id) → (empty)
 *
 * keyEnc is key-encoding.ts: self-delimiting, so one index's keys are exactly the range with
 * its name's prefix, and its definition record sorts first in that range.
 *
 * Invariants:
 *  1. After every batch, storage and memory hold one entry per visible doc of the collection,
 *     keyed by its current field values (sorted-index.ts, invariant 1-2).
 *  2. The definition record holds the collection, the fields and the `heads` meta value of
 *     the last batch the index saw; it is rewritten in every batch.
 *  3. Cold start loads the entries from storage, never from docs, when the record matches the
 *     definition and the stored heads: then no batch was committed without this index. On any
 *     mismatch (new index, changed fields, a session opened without it) the index is rebuilt
 *     from the docs and rewritten in one atomic write.
 */
import { equalBytes } from '../bytes.ts';
import { decode, encode } from '../encoding/canonical.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import { prefixEnd } from '../storage/storage-port.ts';
import type { BatchContext, CommitExtension } from '../replica/extension.ts';
import type { Materializer } from '../replica/materializer.ts';
import { metaKey } from '../replica/replica-store.ts';
import { decodeKeyValues, encodeKeyValue, fromLatin1, latin1 } from './key-encoding.ts';
import { checkIndexDefinitions, SortedIndex, type IndexDefinition } from './sorted-index.ts';

const HEADS_KEY = metaKey('heads');
const EMPTY = new Uint8Array(0);

// A type alias, not an interface: it must be assignable to CanonicalValue for `encode`.
type IndexRecord = {
  readonly v: 1;
  readonly collection: string;
  readonly fields: readonly string[];
  readonly heads: Uint8Array | null;
};

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Whether an index's stored definition record `raw` matches `def` and the stored `heads`
 * (invariant 3): then its stored entries describe exactly the stored docs.
 */
export function storedIndexFresh(def: IndexDefinition, raw: Uint8Array, heads: Uint8Array | null): boolean {
  let rec: IndexRecord;
  try {
    rec = decode(raw) as unknown as IndexRecord;
  } catch {
    return false;
  }
  const same = (a: Uint8Array | null, b: Uint8Array | null): boolean =>
    a === null || b === null ? a === b : equalBytes(a, b);
  return (
    rec.v === 1 &&
    rec.collection === def.collection &&
    Array.isArray(rec.fields) &&
    rec.fields.length === def.fields.length &&
    rec.fields.every((f, i) => f === def.fields[i]) &&
    same(rec.heads, heads)
  );
}

/** How each index was last loaded: from its stored entries, or rebuilt from docs. */
export type IndexLoadKind = 'stored' | 'rebuilt';

/** The secondary-index commit extension. Register with `createReplica({ indexes })`. */
export class IndexExtension implements CommitExtension {
  /** Every index by name. */
  readonly indexes: ReadonlyMap<string, SortedIndex>;
  /** How each index was last loaded (diagnostics and tests). */
  readonly lastLoad = new Map<string, IndexLoadKind>();
  private readonly byCollection = new Map<string, SortedIndex[]>();
  private readonly prefixes = new Map<string, Uint8Array>();

  constructor(defs: readonly IndexDefinition[]) {
    checkIndexDefinitions(defs);
    const indexes = new Map<string, SortedIndex>();
    for (const def of defs) {
      const copy: IndexDefinition = { name: def.name, collection: def.collection, fields: [...def.fields] };
      const idx = new SortedIndex(copy);
      indexes.set(def.name, idx);
      let list = this.byCollection.get(def.collection);
      if (list === undefined) this.byCollection.set(def.collection, (list = []));
      list.push(idx);
      this.prefixes.set(def.name, encodeKeyValue(def.name));
    }
    this.indexes = indexes;
  }

  /** The indexes over `collection`, in declaration order. */
  forCollection(collection: string): readonly SortedIndex[] {
    return this.byCollection.get(collection) ?? [];
  }

  private record(idx: SortedIndex, heads: Uint8Array | null): WriteOp {
    const rec: IndexRecord = { v: 1, collection: idx.def.collection, fields: idx.def.fields, heads };
    return { type: 'put', store: 'indexes', key: this.prefixes.get(idx.def.name)!, value: encode(rec) };
  }

  /** Updates the touched docs' entries and stages their writes (invariants 1-2). */
  onBatch(ctx: BatchContext): void {
    let heads: Uint8Array | null = null;
    for (let i = ctx.writes.length - 1; i >= 0; i--) {
      const w = ctx.writes[i]!;
      if (w.type === 'put' && w.store === 'meta' && equalBytes(w.key, HEADS_KEY)) {
        heads = w.value;
        break;
      }
    }
    for (const e of ctx.effects) {
      if (e.type !== 'docCreated' && e.type !== 'docUpdated' && e.type !== 'docDeleted') continue;
      const list = this.byCollection.get(e.collection);
      if (list === undefined) continue;
      const value = ctx.state.get(e.collection, e.id);
      for (const idx of list) {
        const next = value === undefined ? undefined : idx.keyFor(e.id, value);
        const old = idx.keyOf(e.id);
        if (old === next) continue;
        const prefix = this.prefixes.get(idx.def.name)!;
        if (old !== undefined)
          ctx.writes.push({ type: 'delete', store: 'indexes', key: concat(prefix, fromLatin1(old)) });
        if (next !== undefined)
          ctx.writes.push({ type: 'put', store: 'indexes', key: concat(prefix, fromLatin1(next)), value: EMPTY });
        idx.set(e.id, next);
      }
    }
    for (const idx of this.indexes.values()) ctx.writes.push(this.record(idx, heads));
  }

  /** Nothing to undo here: the replica reloads after a failed write and calls `load`. */
  onAbort(): void {}

  /** Loads every index from storage, or rebuilds a stale one from the docs (invariant 3). */
  async load(storage: StorageAdapter, state: Materializer): Promise<void> {
    const heads = (await storage.get('meta', HEADS_KEY)) ?? null;
    for (const idx of this.indexes.values()) {
      const prefix = this.prefixes.get(idx.def.name)!;
      const stored = await storage.scan('indexes', { gte: prefix, lt: prefixEnd(prefix)! });
      const first = stored[0];
      if (first !== undefined && equalBytes(first.key, prefix) && storedIndexFresh(idx.def, first.value, heads)) {
        const entries: { key: string; id: string }[] = [];
        for (let i = 1; i < stored.length; i++) {
          const tail = stored[i]!.key.subarray(prefix.length);
          const parts = decodeKeyValues(tail);
          entries.push({ key: latin1(tail), id: parts[parts.length - 1] as string });
        }
        idx.replaceAll(entries);
        this.lastLoad.set(idx.def.name, 'stored');
        continue;
      }
      const entries = state
        .list(idx.def.collection)
        .map(({ id, value }) => ({ key: idx.keyFor(id, value), id: id as string }))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      idx.replaceAll(entries);
      const writes: WriteOp[] = [{ type: 'deleteRange', store: 'indexes', gte: prefix, lt: prefixEnd(prefix)! }];
      writes.push(this.record(idx, heads));
      for (const e of entries)
        writes.push({ type: 'put', store: 'indexes', key: concat(prefix, fromLatin1(e.key)), value: EMPTY });
      await storage.write(writes);
      this.lastLoad.set(idx.def.name, 'rebuilt');
    }
  }
}
