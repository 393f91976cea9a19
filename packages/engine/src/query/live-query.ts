/**
 * A live query: a query's result kept up to date batch by batch, delivered as diffs.
 *
 * Invariants:
 *  1. `entries` holds every matching doc (not just the window) in the query's total order,
 *     with `rows` parallel to it; the result is the window `rows[start, end)` (run-query.ts).
 *     Keeping the full matching set costs memory proportional to the matches, but a row that
 *     leaves a limited window is replaced from memory with no re-query; the alternative, a
 *     window-sized buffer, has to re-run the query whenever it runs dry.
 *  2. A batch re-checks only touched docs of the collection and rows whose includes read a
 *     touched doc (`deps`, rows.ts invariant 2); each is re-read from the source, so deleted
 *     and invisible docs leave and the source's visibility is the only truth.
 *  3. Structural sharing: a re-checked row that deep-equals its previous value keeps its old
 *     object, and so does an included row that did not change; every other row is untouched
 *     and keeps its identity. A changed row is always a new object. The result array itself
 *     is new per diff (a pointer copy of the window), so `===` on it detects a change.
 *  4. After each batch the result deep-equals `runQuery(source, query)` (the property test).
 */
import { compareValues } from './value-order.ts';
import { docKey } from '../crdt/doc-state.ts';
import type { Query } from './query-spec.ts';
import { lowerBound, pointComparator, type OrderPoint, type RowEntry } from './row-order.ts';
import type { Row } from './rows.ts';
import { entryOf, matchingCandidates, windowBounds, type QuerySource } from './run-query.ts';
import { matches } from './predicate.ts';
import { sortKeyOf } from './row-order.ts';

/** What changed in a live result; indexes in `removed`/`moved.from` refer to the previous result. */
export interface LiveDiff {
  /** Rows new to the result, at their index in `result`. */
  readonly added: readonly { readonly id: string; readonly index: number; readonly row: Row }[];
  /** Rows gone from the result, at their index in the previous result. */
  readonly removed: readonly { readonly id: string; readonly index: number }[];
  /** Rows still in the result whose value changed (a new object), at their index in `result`. */
  readonly changed: readonly { readonly id: string; readonly index: number; readonly row: Row }[];
  /** Rows still in the result that their own update re-sorted. */
  readonly moved: readonly { readonly id: string; readonly from: number; readonly to: number }[];
  /** The new result; unchanged rows are the same objects as before. */
  readonly result: readonly Row[];
  /** True for the first diff, which adds the initial result. */
  readonly initial: boolean;
}

/** A touched document. */
export interface TouchedDoc {
  readonly collection: string;
  readonly id: string;
}

/** Keeps the old object when the fresh row deep-equals it, else shares unchanged includes. */
function share(query: Query, old: Row | undefined, fresh: Row): Row {
  if (old === undefined) return fresh;
  if (compareValues(old, fresh) === 0) return old;
  const out = fresh as Record<string, unknown>;
  for (const inc of query.include) {
    const o = old[inc.as];
    const n = fresh[inc.as];
    if (o !== undefined && n !== undefined && o !== null && compareValues(o, n) === 0) out[inc.as] = o;
  }
  return fresh;
}

/** One live query's incremental state. */
export class LiveQuery {
  private entries: RowEntry[] = [];
  private rows: Row[] = [];
  private readonly byId = new Map<string, RowEntry>();
  private readonly deps = new Map<string, Set<string>>();
  private readonly rowDeps = new Map<string, string[]>();
  private result: readonly Row[] = [];
  private readonly cmp: (a: OrderPoint, b: OrderPoint) => number;
  private readonly whole: boolean;

  constructor(
    readonly query: Query,
    private readonly onDiff: (diff: LiveDiff) => void,
  ) {
    this.cmp = pointComparator(query.orderBy);
    this.whole = query.after === null && query.offset === 0 && query.limit === null;
  }

  /** The current result. */
  get current(): readonly Row[] {
    return this.result;
  }

  private track(id: string, deps: string[] | undefined): void {
    for (const k of this.rowDeps.get(id) ?? []) this.deps.get(k)?.delete(id);
    if (deps === undefined || deps.length === 0) this.rowDeps.delete(id);
    else {
      this.rowDeps.set(id, deps);
      for (const k of deps) {
        let s = this.deps.get(k);
        if (s === undefined) this.deps.set(k, (s = new Set()));
        s.add(id);
      }
    }
  }

  /** Computes everything from scratch and emits the diff from the previous result. */
  resync(source: QuerySource, initial = false): void {
    const old = this.byId;
    const entries: RowEntry[] = [];
    const nextById = new Map<string, RowEntry>();
    this.deps.clear();
    this.rowDeps.clear();
    for (const c of matchingCandidates(source, this.query)) {
      const deps: string[] = [];
      const e = entryOf(source, this.query, c, deps);
      const kept = { ...e, row: share(this.query, old.get(c.id)?.row, e.row) };
      entries.push(kept);
      nextById.set(c.id, kept);
      this.track(c.id, deps);
    }
    old.clear();
    for (const [id, e] of nextById) old.set(id, e);
    this.entries = entries;
    this.rows = entries.map((e) => e.row);
    this.emitWindowDiff(new Set(), initial);
  }

  /** Re-checks the touched docs after a committed batch (invariant 2). */
  update(source: QuerySource, touched: readonly TouchedDoc[]): void {
    const q = this.query;
    const recheck = new Set<string>();
    for (const t of touched) {
      if (t.collection === q.collection) recheck.add(t.id);
      const dependents = this.deps.get(docKey(t.collection, t.id));
      if (dependents !== undefined) for (const id of dependents) recheck.add(id);
    }
    if (recheck.size === 0) return;
    const oldIndex = new Map<string, number>();
    const oldRows = new Map<string, Row>();
    if (this.whole)
      for (const id of recheck) {
        const e = this.byId.get(id);
        if (e !== undefined) {
          oldIndex.set(id, lowerBound(this.entries, e, this.cmp));
          oldRows.set(id, e.row);
        }
      }
    const relocated = new Set<string>();
    for (const id of recheck) this.recheck(source, id, relocated);
    if (this.whole) this.emitWholeDiff(recheck, oldIndex, oldRows, relocated);
    else this.emitWindowDiff(relocated, false);
  }

  private recheck(source: QuerySource, id: string, relocated: Set<string>): void {
    const q = this.query;
    const old = this.byId.get(id);
    const value = source.get(q.collection, id);
    const at = old === undefined ? -1 : lowerBound(this.entries, old, this.cmp);
    if (value === undefined || !matches(q.where, id, value)) {
      if (old === undefined) return;
      this.entries.splice(at, 1);
      this.rows.splice(at, 1);
      this.byId.delete(id);
      this.track(id, undefined);
      return;
    }
    const deps: string[] = [];
    const fresh = entryOf(source, q, { id, key: sortKeyOf(q.orderBy, id, value), value }, deps);
    const entry: RowEntry = { ...fresh, row: share(q, old?.row, fresh.row) };
    this.byId.set(id, entry);
    this.track(id, deps);
    if (old !== undefined && this.cmp(old, entry) === 0) {
      this.entries[at] = entry;
      this.rows[at] = entry.row;
      return;
    }
    if (old !== undefined) {
      this.entries.splice(at, 1);
      this.rows.splice(at, 1);
    }
    const to = lowerBound(this.entries, entry, this.cmp);
    this.entries.splice(to, 0, entry);
    this.rows.splice(to, 0, entry.row);
    if (old !== undefined && to !== at) relocated.add(id);
  }

  /** The diff when the window is the whole matching set: only re-checked rows can differ. */
  private emitWholeDiff(
    recheck: Set<string>,
    oldIndex: Map<string, number>,
    oldRows: Map<string, Row>,
    relocated: Set<string>,
  ): void {
    const added: { id: string; index: number; row: Row }[] = [];
    const removed: { id: string; index: number }[] = [];
    const changed: { id: string; index: number; row: Row }[] = [];
    const moved: { id: string; from: number; to: number }[] = [];
    for (const id of recheck) {
      const e = this.byId.get(id);
      const from = oldIndex.get(id);
      if (e === undefined) {
        if (from !== undefined) removed.push({ id, index: from });
        continue;
      }
      const index = lowerBound(this.entries, e, this.cmp);
      if (from === undefined) added.push({ id, index, row: e.row });
      else if (e.row !== oldRows.get(id)) changed.push({ id, index, row: e.row });
      if (from !== undefined && relocated.has(id)) moved.push({ id, from, to: index });
    }
    if (added.length + removed.length + changed.length + moved.length === 0) return;
    this.emit(added, removed, changed, moved, this.rows.slice(), false);
  }

  /** The diff between the previous window and the current one, matched by id. */
  private emitWindowDiff(relocated: Set<string>, initial: boolean): void {
    const [start, end] = windowBounds(this.query, this.entries);
    const next = this.rows.slice(start, end);
    const prev = this.result;
    const prevPos = new Map<string, number>();
    prev.forEach((r, i) => prevPos.set(r.id, i));
    const nextPos = new Map<string, number>();
    next.forEach((r, i) => nextPos.set(r.id, i));
    const added: { id: string; index: number; row: Row }[] = [];
    const changed: { id: string; index: number; row: Row }[] = [];
    const moved: { id: string; from: number; to: number }[] = [];
    next.forEach((row, index) => {
      const from = prevPos.get(row.id);
      if (from === undefined) added.push({ id: row.id, index, row });
      else {
        if (prev[from] !== row) changed.push({ id: row.id, index, row });
        if (relocated.has(row.id)) moved.push({ id: row.id, from, to: index });
      }
    });
    const removed: { id: string; index: number }[] = [];
    prev.forEach((r, index) => {
      if (!nextPos.has(r.id)) removed.push({ id: r.id, index });
    });
    if (!initial && added.length + removed.length + changed.length + moved.length === 0) return;
    this.emit(added, removed, changed, moved, next, initial);
  }

  private emit(
    added: LiveDiff['added'],
    removed: LiveDiff['removed'],
    changed: LiveDiff['changed'],
    moved: LiveDiff['moved'],
    result: readonly Row[],
    initial: boolean,
  ): void {
    this.result = result;
    const byIndex = (a: { index: number }, b: { index: number }): number => a.index - b.index;
    const diff: LiveDiff = {
      added: added.length > 1 ? [...added].sort(byIndex) : added,
      removed: removed.length > 1 ? [...removed].sort(byIndex) : removed,
      changed: changed.length > 1 ? [...changed].sort(byIndex) : changed,
      moved: moved.length > 1 ? [...moved].sort((a, b) => a.to - b.to) : moved,
      result,
      initial,
    };
    this.onDiff(diff);
  }
}
