/**
 * The query planner: picks the secondary index (if any) that narrows a query the most.
 *
 * Invariants:
 *  1. An index range is a superset of the matching docs: the full predicate is re-checked on
 *     every candidate, so the plan affects speed, never results.
 *  2. An index applies to the top-level AND conjuncts only: `==` on a prefix of its fields,
 *     then range operators (`<`, `<=`, `>`, `>=`, `startsWith`) on the next field, bracketed
 *     by the operand's type class like the operators themselves (predicate.ts).
 *  3. The index also gives the order (no sort) when, after dropping sort keys fixed by `==`,
 *     the sort keys are exactly its remaining fields in one direction and the id tie-break
 *     (row-order.ts, invariant 1) runs that same way: a forward or reverse scan.
 *  4. Score: 2 per equality field, 1 for a range, 1 for the order; the best positive score
 *     wins, ties going to the index declared first.
 */
import { prefixEnd } from '../storage/storage-port.ts';
import type { OrderKey, Predicate, Query } from './query-spec.ts';
import { classRange, encodeKeyValue, encodeKeyValues, latin1, stringPrefixKey } from './key-encoding.ts';
import { tieDirection } from './row-order.ts';
import type { SortedIndex } from './sorted-index.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';

/** What `explain()` reports: how a query runs. */
export interface QueryExplain {
  readonly plan: 'index' | 'scan';
  readonly collection: string;
  /** The index used, when `plan` is `index`. */
  readonly index?: string;
  /** Index fields fixed by `==`. */
  readonly equality: readonly string[];
  /** The index field bounded by a range operator, if any. */
  readonly range: string | null;
  /** `index`: rows come out of the index in query order; `sort`: they are sorted after. */
  readonly order: 'index' | 'sort';
  /** Scan direction over the index. */
  readonly direction: 'forward' | 'reverse';
}

/** A chosen plan: the explanation plus what execution needs. */
export interface Plan {
  readonly explain: QueryExplain;
  readonly index: SortedIndex | null;
  /** Key range [lo, hi) over the index's latin1 keys; hi undefined: to the end. */
  readonly lo: string;
  readonly hi: string | undefined;
}

type Cmp = Extract<Predicate, { kind: 'cmp' }>;

function conjuncts(p: Predicate | null, out: Cmp[] = []): Cmp[] {
  if (p === null || p.kind === 'or') return out;
  if (p.kind === 'cmp') out.push(p);
  else for (const q of p.of) conjuncts(q, out);
  return out;
}

const RANGE_OPS = new Set(['<', '<=', '>', '>=', 'startsWith']);

function withByte(prefix: Uint8Array, b: number): Uint8Array {
  const out = new Uint8Array(prefix.length + 1);
  out.set(prefix);
  out[prefix.length] = b;
  return out;
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Bounds of one range conjunct below the equality prefix `p` (invariant 2). */
function rangeBounds(p: Uint8Array, c: Cmp): { lo: Uint8Array; hi: Uint8Array | undefined } {
  const cls = classRange(c.value);
  let lo = withByte(p, cls.lo);
  let hi: Uint8Array | undefined = withByte(p, cls.hi);
  if (c.op === 'startsWith') {
    const k = join(p, stringPrefixKey(c.value as string));
    return { lo: k, hi: prefixEnd(k) };
  }
  const k = join(p, encodeKeyValue(c.value));
  if (c.op === '>=') lo = k;
  else if (c.op === '>') lo = prefixEnd(k) ?? k;
  else if (c.op === '<') hi = k;
  else hi = prefixEnd(k);
  return { lo, hi };
}

function orderMatch(idx: SortedIndex, k: number, eqFields: Set<string>, orderBy: readonly OrderKey[]) {
  const rest = orderBy.filter((o) => !eqFields.has(o.field));
  const tie = tieDirection(orderBy);
  const remaining = idx.def.fields.length - k;
  if (rest.length !== remaining) return null;
  for (let i = 0; i < rest.length; i++)
    if (rest[i]!.field !== idx.def.fields[k + i] || rest[i]!.dir !== tie) return null;
  return tie === 'desc' ? 'reverse' : 'forward';
}

/** Chooses how to run `q` over `indexes` (the collection's indexes). */
export function planQuery(q: Query, indexes: readonly SortedIndex[]): Plan {
  const conj = conjuncts(q.where);
  let best: Plan | null = null;
  let bestScore = 0;
  for (const idx of indexes) {
    const fields = idx.def.fields;
    const eqValues: CanonicalValue[] = [];
    const eqFields = new Set<string>();
    let k = 0;
    for (; k < fields.length; k++) {
      const c = conj.find((x) => x.op === '==' && x.field === fields[k]);
      if (c === undefined) break;
      eqValues.push(c.value);
      eqFields.add(c.field);
    }
    const p = encodeKeyValues(eqValues);
    let lo = latin1(p);
    let hi = p.length === 0 ? undefined : latin1(prefixEnd(p)!);
    const ranged = k < fields.length ? conj.filter((x) => RANGE_OPS.has(x.op) && x.field === fields[k]) : [];
    for (const c of ranged) {
      const b = rangeBounds(p, c);
      const blo = latin1(b.lo);
      if (blo > lo) lo = blo;
      if (b.hi !== undefined) {
        const bhi = latin1(b.hi);
        if (hi === undefined || bhi < hi) hi = bhi;
      }
    }
    const dir = orderMatch(idx, k, eqFields, q.orderBy);
    const score = 2 * k + (ranged.length > 0 ? 1 : 0) + (dir !== null ? 1 : 0);
    if (score <= bestScore) continue;
    bestScore = score;
    best = {
      explain: {
        plan: 'index',
        collection: q.collection,
        index: idx.def.name,
        equality: fields.slice(0, k),
        range: ranged.length > 0 ? fields[k]! : null,
        order: dir !== null ? 'index' : 'sort',
        direction: dir ?? 'forward',
      },
      index: idx,
      lo,
      hi,
    };
  }
  return (
    best ?? {
      explain: {
        plan: 'scan',
        collection: q.collection,
        equality: [],
        range: null,
        order: 'sort',
        direction: 'forward',
      },
      index: null,
      lo: '',
      hi: undefined,
    }
  );
}
