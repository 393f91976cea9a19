/**
 * Optimistic results: a tab shows its own pending mutations at once, before the host has signed
 * and stored them, by overlaying their intents on the last result the host sent. When a
 * mutation settles the overlay drops it: on success the host's diff (which arrives on the same
 * port before the mutation's answer) already holds the write; on failure the write vanishes.
 *
 * Invariants:
 *  1. With no pending intents the result is the host's, untouched.
 *  2. Only idempotent intents are overlaid (insert, update, set, delete, set add/remove), so
 *     overlaying a write the host result already holds changes nothing. Counter increments and
 *     text/list edits wait for the host.
 *  3. Windowed queries (limit, offset, after) and queries with includes only see overlaid
 *     updates and deletes of rows already in the result: where an inserted row would land in a
 *     window is the host's call.
 *  4. Rows the overlay does not touch keep their identity.
 */
import { compareValues, matches, type CanonicalValue, type Query, type Row } from '@weft/engine';
import type { Intent } from '../protocol/intents.ts';

type Fields = Record<string, CanonicalValue>;

function setPath(row: Fields, path: string, value: CanonicalValue): Fields {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return { ...row, [head!]: value };
  const inner = row[head!];
  const obj = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Fields) : {};
  return { ...row, [head!]: setPath(obj, rest.join('.'), value) };
}

function getPath(row: Fields, path: string): CanonicalValue {
  let v: CanonicalValue | undefined = row;
  for (const seg of path.split('.')) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    v = (v as Fields)[seg];
  }
  return v ?? null;
}

/** The query's total order (query-spec.ts): sort keys, then id in the last key's direction. */
export function rowComparator(q: Query): (a: Row, b: Row) => number {
  const lastDir = q.orderBy.length === 0 ? 'asc' : q.orderBy[q.orderBy.length - 1]!.dir;
  return (a, b) => {
    for (const k of q.orderBy) {
      const c = k.field === 'id' ? compareValues(a.id, b.id) : compareValues(getPath(a, k.field), getPath(b, k.field));
      if (c !== 0) return k.dir === 'asc' ? c : -c;
    }
    const c = a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    return lastDir === 'asc' ? c : -c;
  };
}

/** Applies the pending intents of `q`'s collection to `base` (invariants 1-4). */
export function overlay(base: readonly Row[], q: Query, intents: readonly Intent[]): readonly Row[] {
  const mine = intents.filter((x) => x.c === q.collection);
  if (mine.length === 0) return base;
  const windowed = q.limit !== null || q.offset !== 0 || q.after !== null || q.include.length > 0;
  const index = new Map(base.map((r, i) => [r.id, i]));
  /** Touched docs: the new row, or null when deleted. */
  const touched = new Map<string, Fields | null>();
  const current = (id: string): Fields | null | undefined =>
    touched.has(id) ? touched.get(id) : index.has(id) ? (base[index.get(id)!] as Fields) : undefined;
  for (const x of mine) {
    if (x.op === 'insert') {
      if (windowed && !index.has(x.id)) continue;
      touched.set(x.id, { ...(current(x.id) ?? {}), ...x.fields, id: x.id });
      continue;
    }
    if (x.op === 'delete') {
      if (current(x.id) !== undefined) touched.set(x.id, null);
      continue;
    }
    const row = current(x.id);
    if (row === undefined || row === null) continue;
    if (x.op === 'update') touched.set(x.id, { ...row, ...x.fields });
    else if (x.op === 'set') touched.set(x.id, setPath(row, x.path, x.value));
    else if (x.op === 'addToSet' || x.op === 'removeFromSet') {
      const old = getPath(row, x.path);
      const arr = Array.isArray(old) ? old.filter((v) => compareValues(v, x.value) !== 0) : [];
      if (x.op === 'addToSet') arr.push(x.value);
      touched.set(x.id, setPath(row, x.path, arr.sort(compareValues)));
    }
  }
  if (touched.size === 0) return base;
  const out: Row[] = [];
  let resort = false;
  for (const r of base) {
    const t = touched.get(r.id);
    if (t === undefined) out.push(r);
    else if (t !== null && matches(q.where, r.id, t)) {
      out.push(t as Row);
      resort ||= q.orderBy.some((k) => compareValues(getPath(r, k.field), getPath(t, k.field)) !== 0);
    }
  }
  for (const [id, t] of touched)
    if (!index.has(id) && t !== null && matches(q.where, id, t)) {
      out.push(t as Row);
      resort = true;
    }
  return windowed || !resort ? out : out.sort(rowComparator(q));
}
