/**
 * Runs a query against a document source: a pure function of the source's state and the
 * query (plain data), so it can run anywhere the state is, and tests can compare against it.
 *
 * Invariants:
 *  1. The result is the matching visible docs in the query's total order (row-order.ts),
 *     after the cursor, offset and limit; the plan (planner.ts) never changes it.
 *  2. Rows (and their includes) are built only for the rows returned.
 *  3. When the index yields query order, reading stops once the window is full.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { planQuery, type Plan, type QueryExplain } from './planner.ts';
import { matches } from './predicate.ts';
import { checkQuery, type Query } from './query-spec.ts';
import { pointComparator, sortKeyOf, upperBound, type OrderPoint, type RowEntry } from './row-order.ts';
import { buildRow, type DocFields, type DocSource, type Row } from './rows.ts';
import type { SortedIndex } from './sorted-index.ts';

/** Indexes a source offers the planner. */
export interface IndexCatalog {
  /** The indexes over `collection`. */
  forCollection(collection: string): readonly SortedIndex[];
}

/** A document source, optionally with indexes. */
export interface QuerySource extends DocSource {
  readonly indexes?: IndexCatalog | undefined;
}

/** A matching doc before its row is built. */
export interface Candidate extends OrderPoint {
  readonly value: DocFields;
}

function planFor(source: QuerySource, q: Query): Plan {
  return planQuery(q, source.indexes?.forCollection(q.collection) ?? []);
}

function* candidates(source: QuerySource, q: Query, plan: Plan): Generator<Candidate> {
  if (plan.index === null) {
    for (const { id, value } of source.list(q.collection))
      if (matches(q.where, id, value)) yield { id, key: sortKeyOf(q.orderBy, id, value), value };
    return;
  }
  const reverse = plan.explain.direction === 'reverse';
  for (const id of plan.index.scan(plan.lo, plan.hi, reverse)) {
    const value = source.get(q.collection, id);
    if (value === undefined) throw new WeftError('E_INTERNAL', `index ${plan.index.def.name} holds missing doc ${id}`);
    if (matches(q.where, id, value)) yield { id, key: sortKeyOf(q.orderBy, id, value), value };
  }
}

/** Every matching doc in query order, ignoring cursor, offset and limit. */
export function matchingCandidates(source: QuerySource, q: Query): Candidate[] {
  const plan = planFor(source, q);
  const all = [...candidates(source, q, plan)];
  if (plan.explain.order === 'sort') all.sort(pointComparator(q.orderBy));
  return all;
}

/** Index of the first row of the window in an ordered list of all matches. */
export function windowStart(q: Query, ordered: readonly OrderPoint[]): number {
  const cmp = pointComparator(q.orderBy);
  const after = q.after;
  const base = after === null ? 0 : upperBound(ordered, { key: after.k as CanonicalValue[], id: after.id }, cmp);
  return Math.min(ordered.length, base + q.offset);
}

/** The window of an ordered list of all matches: [start, end). */
export function windowBounds(q: Query, ordered: readonly OrderPoint[]): [number, number] {
  const start = windowStart(q, ordered);
  const end = q.limit === null ? ordered.length : Math.min(ordered.length, start + q.limit);
  return [start, end];
}

/** Builds the entry (sort key and row with includes) of a candidate. */
export function entryOf(source: DocSource, q: Query, c: Candidate, deps?: string[]): RowEntry {
  return { id: c.id, key: c.key, row: buildRow(source, q.collection, c.id, c.value, q.include, deps) };
}

/** Runs `q` over `source` (invariant 1). Throws `E_INVALID_ARGUMENT` for a malformed query. */
export function runQuery(source: QuerySource, q: Query): Row[] {
  checkQuery(q);
  const plan = planFor(source, q);
  if (plan.explain.order === 'sort') {
    const all = matchingCandidates(source, q);
    const [start, end] = windowBounds(q, all);
    return all.slice(start, end).map((c) => entryOf(source, q, c).row);
  }
  // Invariant 3: the index streams rows in order, so the window is read and nothing more.
  const cmp = pointComparator(q.orderBy);
  const after = q.after === null ? null : { key: q.after.k, id: q.after.id };
  const out: Row[] = [];
  let skip = q.offset;
  if (q.limit === 0) return out;
  for (const c of candidates(source, q, plan)) {
    if (after !== null && cmp(c, after) <= 0) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    out.push(entryOf(source, q, c).row);
    if (q.limit !== null && out.length >= q.limit) break;
  }
  return out;
}

/** How `q` would run over `source`. */
export function explainQuery(source: QuerySource, q: Query): QueryExplain {
  checkQuery(q);
  return planFor(source, q).explain;
}
