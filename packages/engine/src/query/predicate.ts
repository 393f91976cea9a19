/**
 * Predicate constructors (`or(eq('a', 1), and(…))`) and evaluation. Semantics are documented
 * on {@link Predicate} in query-spec.ts.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { ComparisonOp, Predicate } from './query-spec.ts';
import { compareValues, readPath, typeRank, valuesEqual } from './value-order.ts';

/** A comparison predicate. */
export function cmp(field: string, op: ComparisonOp, value: CanonicalValue): Predicate {
  return { kind: 'cmp', field, op, value };
}
/** `field == value`. */
export const eq = (field: string, value: CanonicalValue): Predicate => cmp(field, '==', value);
/** `field != value`. */
export const ne = (field: string, value: CanonicalValue): Predicate => cmp(field, '!=', value);
/** `field < value`. */
export const lt = (field: string, value: CanonicalValue): Predicate => cmp(field, '<', value);
/** `field <= value`. */
export const lte = (field: string, value: CanonicalValue): Predicate => cmp(field, '<=', value);
/** `field > value`. */
export const gt = (field: string, value: CanonicalValue): Predicate => cmp(field, '>', value);
/** `field >= value`. */
export const gte = (field: string, value: CanonicalValue): Predicate => cmp(field, '>=', value);
/** `field` equals one of `values`. */
export const isIn = (field: string, values: readonly CanonicalValue[]): Predicate => cmp(field, 'in', values);
/** An array field holds `value`, or a string field contains the substring `value`. */
export const contains = (field: string, value: CanonicalValue): Predicate => cmp(field, 'contains', value);
/** A string field starts with `prefix`. */
export const startsWith = (field: string, prefix: string): Predicate => cmp(field, 'startsWith', prefix);
/** Every predicate holds (true when empty). */
export const and = (...of: Predicate[]): Predicate => ({ kind: 'and', of });
/** Some predicate holds (false when empty). */
export const or = (...of: Predicate[]): Predicate => ({ kind: 'or', of });

/** The value a predicate or sort key sees for `field` of doc `id`: `'id'` is the doc id. */
export function fieldOf(id: string, value: { readonly [key: string]: CanonicalValue }, field: string): CanonicalValue {
  return field === 'id' ? id : readPath(value, field);
}

function compare(x: CanonicalValue, op: ComparisonOp, v: CanonicalValue): boolean {
  switch (op) {
    case '==':
      return valuesEqual(x, v);
    case '!=':
      return !valuesEqual(x, v);
    case 'in':
      return (v as readonly CanonicalValue[]).some((e) => valuesEqual(x, e));
    case 'contains':
      if (Array.isArray(x)) return (x as readonly CanonicalValue[]).some((e) => valuesEqual(e, v));
      return typeof x === 'string' && typeof v === 'string' && x.includes(v);
    case 'startsWith':
      return typeof x === 'string' && typeof v === 'string' && x.startsWith(v);
    default: {
      // Range operators are bracketed by type class: `n < 5` never matches null or 'a'.
      if (typeRank(x) !== typeRank(v)) return false;
      const c = compareValues(x, v);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
  }
}

/** True when doc `id` with visible `value` satisfies `p` (null: no filter). */
export function matches(p: Predicate | null, id: string, value: { readonly [key: string]: CanonicalValue }): boolean {
  if (p === null) return true;
  switch (p.kind) {
    case 'cmp':
      return compare(fieldOf(id, value, p.field), p.op, p.value);
    case 'and':
      return p.of.every((q) => matches(q, id, value));
    case 'or':
      return p.of.some((q) => matches(q, id, value));
  }
}
