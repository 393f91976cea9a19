/**
 * Answers a query straight from storage, before a replica has loaded: the cold-start path that
 * paints a first screen from the persisted secondary index and the few docs it names, instead of
 * waiting for every change and doc to load.
 *
 * Invariants:
 *  1. Served only when the answer equals what the loaded replica would return: the query is
 *     one the planner streams in index order (no sort, no includes), and the index's stored
 *     definition record matches the definition and the stored heads (index-extension.ts,
 *     invariant 3), so its entries describe exactly the stored docs. Otherwise the answer is
 *     `undefined` and the caller waits for the replica.
 *  2. Reads are bounded by the window: index entries are read in pages that grow until the
 *     window is full or the range is exhausted, and only the docs those entries name are read.
 *  3. Rows are built by the same functions the replica uses (materialize, runQuery), over a
 *     source holding just the docs read, so filters, cursors and offsets behave identically.
 */
import { equalBytes } from '../bytes.ts';
import { materialize, docKey, type SequenceHooks } from '../crdt/doc-state.ts';
import { docRange, loadDocs, metaKey } from '../replica/replica-store.ts';
import { sequenceHooks } from '../replica/sequence-hooks.ts';
import { prefixEnd, type StorageAdapter } from '../storage/storage-port.ts';
import { storedIndexFresh } from './index-extension.ts';
import { decodeKeyValues, encodeKeyValue, fromLatin1, latin1 } from './key-encoding.ts';
import { planQuery } from './planner.ts';
import { checkQuery, type Query } from './query-spec.ts';
import type { DocFields, Row } from './rows.ts';
import { runQuery, type QuerySource } from './run-query.ts';
import { SortedIndex, type IndexDefinition } from './sorted-index.ts';

/** Index entries read in the first page, beyond the window itself. */
const FIRST_PAGE_SLACK = 16;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Runs `q` against what `storage` holds, reading only the index range the plan scans and the
 * docs it names (invariant 2). Resolves `undefined` when storage can't answer it exactly
 * (invariant 1): then load the replica and ask it.
 */
export async function runStoredQuery(
  storage: StorageAdapter,
  defs: readonly IndexDefinition[],
  q: Query,
  seqHooks: SequenceHooks = sequenceHooks,
): Promise<Row[] | undefined> {
  checkQuery(q);
  if (q.include.length > 0) return undefined;
  const candidates = defs.filter((d) => d.collection === q.collection).map((d) => new SortedIndex(d));
  const plan = planQuery(q, candidates);
  if (plan.index === null || plan.explain.order !== 'index') return undefined;
  const def = plan.index.def;
  const prefix = encodeKeyValue(def.name);
  const [record, heads] = await Promise.all([storage.get('indexes', prefix), storage.get('meta', metaKey('heads'))]);
  if (record === undefined || !storedIndexFresh(def, record, heads ?? null)) return undefined;

  const reverse = plan.explain.direction === 'reverse';
  const gte = concat(prefix, fromLatin1(plan.lo));
  const lt = plan.hi === undefined ? prefixEnd(prefix) : concat(prefix, fromLatin1(plan.hi));
  const want = q.limit === null ? undefined : q.offset + q.limit;
  const docs = new Map<string, DocFields>();
  const index = new SortedIndex(def);
  const source: QuerySource = {
    get: (c, d) => (c === q.collection ? docs.get(d) : undefined),
    list: () => [],
    indexes: { forCollection: (c) => (c === def.collection ? [index] : []) },
  };
  for (let page = want === undefined ? undefined : want + FIRST_PAGE_SLACK; ; page = page! * 4) {
    const stored = await storage.scan('indexes', {
      gte,
      ...(lt === undefined ? {} : { lt }),
      reverse,
      ...(page === undefined ? {} : { limit: page + 1 }),
    });
    // The definition record sits at the bare prefix, before every entry.
    const entries = stored
      .filter((e) => !equalBytes(e.key, prefix))
      .map((e) => {
        const tail = e.key.subarray(prefix.length);
        const parts = decodeKeyValues(tail);
        return { key: latin1(tail), id: parts[parts.length - 1] as string };
      });
    const exhausted = page === undefined || stored.length <= page;
    const missing = entries.filter((e) => !docs.has(e.id));
    const loaded = await Promise.all(
      missing.map((e) => loadDocs(storage, seqHooks, undefined, docRange(docKey(q.collection, e.id)))),
    );
    missing.forEach((e, i) => {
      const doc = loaded[i]![0];
      const value = doc === undefined ? undefined : materialize(doc, seqHooks);
      if (value !== undefined) docs.set(e.id, value);
    });
    // An entry whose doc isn't visible contradicts invariant 1 of the index: don't guess.
    if (entries.some((e) => !docs.has(e.id))) return undefined;
    if (reverse) entries.reverse();
    // A page is a prefix of the range in scan order, so the rows it yields are the query's first.
    index.replaceAll(entries);
    const rows = runQuery(source, q);
    if (exhausted || (want !== undefined && rows.length >= q.limit!)) return rows;
  }
}
