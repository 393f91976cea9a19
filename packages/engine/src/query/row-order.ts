/**
 * The total order of a query's rows, cursors, and binary search over ordered rows.
 *
 * Invariants:
 *  1. Rows compare by their sort key (the `orderBy` field values, read from the document
 *     before includes are attached), then by doc id; the id tie-break runs in the direction of
 *     the last key (ascending without keys). Doc ids are unique, so the order is total.
 *  2. The id direction is chosen so that an index on exactly the sort fields, scanned forward
 *     or backward, yields this order with no re-sort (planner.ts).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { Cursor, OrderKey, Query } from './query-spec.ts';
import { fieldOf } from './predicate.ts';
import type { DocFields, Row } from './rows.ts';
import { compareStrings, compareValues, readPath } from './value-order.ts';

/** A row with the sort key it was ordered by. */
export interface RowEntry {
  readonly id: string;
  readonly key: readonly CanonicalValue[];
  readonly row: Row;
}

/** A position in the order: a sort key and an id. */
export type OrderPoint = Pick<RowEntry, 'id' | 'key'>;

/** The sort key of doc `id` for `orderBy`. */
export function sortKeyOf(orderBy: readonly OrderKey[], id: string, value: DocFields): CanonicalValue[] {
  return orderBy.map((k) => fieldOf(id, value, k.field));
}

/** Direction of the id tie-break (invariant 1). */
export function tieDirection(orderBy: readonly OrderKey[]): 'asc' | 'desc' {
  return orderBy.length === 0 ? 'asc' : orderBy[orderBy.length - 1]!.dir;
}

/** The comparator of invariant 1. */
export function pointComparator(orderBy: readonly OrderKey[]): (a: OrderPoint, b: OrderPoint) => number {
  const signs = orderBy.map((k) => (k.dir === 'desc' ? -1 : 1));
  const tie = tieDirection(orderBy) === 'desc' ? -1 : 1;
  return (a, b) => {
    for (let i = 0; i < signs.length; i++) {
      const c = compareValues(a.key[i]!, b.key[i]!);
      if (c !== 0) return c * signs[i]!;
    }
    return compareStrings(a.id, b.id) * tie;
  };
}

/** The cursor just after `point`. */
export function cursorAt(point: OrderPoint): Cursor {
  return { k: [...point.key], id: point.id };
}

/**
 * The cursor for paging after `row` (a row this query returned). Sort fields are never ones an
 * include replaced (checkQuery refuses that), so the row still holds the values it sorted by.
 */
export function cursorOf(query: Query, row: Row): Cursor {
  const k = query.orderBy.map((o) => (o.field === 'id' ? row.id : readPath(row, o.field)));
  return { k, id: row.id };
}

/** First index whose element is not less than `x` (`arr` sorted by `cmp`). */
export function lowerBound<T, U>(arr: readonly T[], x: U, cmp: (a: T, b: U) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(arr[mid]!, x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose element is greater than `x`. */
export function upperBound<T, U>(arr: readonly T[], x: U, cmp: (a: T, b: U) => number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cmp(arr[mid]!, x) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
