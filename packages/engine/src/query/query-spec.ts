/**
 * Queries as plain data. A {@link Query} is JSON-like (only canonical values, `null` instead
 * of absent options), so it survives structured clone and comlink, and can be hashed or
 * compared. The builder (query-builder.ts) produces it; run-query.ts and live-query.ts read it.
 */
import { WeftError } from '../errors.ts';
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { isName } from '../ids.ts';

/** The comparison operators of `where`. */
export const COMPARISON_OPS = ['==', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'startsWith'] as const;
/** One of {@link COMPARISON_OPS}. */
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/**
 * A filter. `field` is a dotted path (`'meta.x'`) or `'id'` for the document id.
 *
 * Semantics (missing fields read as null; order and equality from value-order.ts):
 *  - `==`, `!=`: deep equality under the total order.
 *  - `<`, `<=`, `>`, `>=`: only values of the operand's type class match (`n < 5` never
 *    matches null or a string), compared by the total order.
 *  - `in`: the operand is an array; the field deep-equals one of its elements.
 *  - `contains`: an array field has an element deep-equal to the operand, or a string field
 *    contains the string operand as a substring.
 *  - `startsWith`: a string field starts with the string operand.
 */
export type Predicate =
  | { readonly kind: 'cmp'; readonly field: string; readonly op: ComparisonOp; readonly value: CanonicalValue }
  | { readonly kind: 'and'; readonly of: readonly Predicate[] }
  | { readonly kind: 'or'; readonly of: readonly Predicate[] };

/** One sort key. */
export interface OrderKey {
  readonly field: string;
  readonly dir: 'asc' | 'desc';
}

/**
 * A relation to attach: `field` holds a doc id of `collection` (null: inferred, see
 * include.ts); the target row (or null) is attached under `as`, with its own includes.
 */
export interface IncludeSpec {
  readonly field: string;
  readonly collection: string | null;
  readonly as: string;
  readonly include: readonly IncludeSpec[];
}

/**
 * A pagination cursor: the sort key values and id of the last row seen. Treat it as opaque;
 * get one from `cursorOf` and pass it to `after`.
 */
export interface Cursor {
  readonly k: readonly CanonicalValue[];
  readonly id: string;
}

/**
 * A query. Rows are ordered by `orderBy`, then by doc id in the direction of the last key
 * (ascending when there is none): a total order, so pages and live windows are deterministic.
 * `after` keeps the rows strictly after the cursor in that order; `offset` then skips rows and
 * `limit` caps the count.
 */
export interface Query {
  readonly collection: string;
  readonly where: Predicate | null;
  readonly orderBy: readonly OrderKey[];
  readonly limit: number | null;
  readonly offset: number;
  readonly after: Cursor | null;
  readonly include: readonly IncludeSpec[];
}

function bad(message: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', message);
}

/** Throws unless `field` is `id` or a dotted path of valid names. */
export function checkField(field: unknown): asserts field is string {
  if (typeof field !== 'string' || (field !== 'id' && !field.split('.').every((s) => isName(s))))
    bad(`invalid field path "${String(field)}"`);
}

/** Throws unless `v` is a canonical value (finite numbers, no lone surrogates, no undefined). */
export function checkValue(v: unknown, what: string): asserts v is CanonicalValue {
  try {
    encode(v as CanonicalValue);
  } catch (err) {
    bad(`${what} is not a storable value: ${(err as Error).message}`);
  }
}

/** Validates a predicate tree (operators, fields, operand types). */
export function checkPredicate(p: Predicate): void {
  if (p.kind === 'and' || p.kind === 'or') {
    if (!Array.isArray(p.of)) bad(`${p.kind} needs an array of predicates`);
    for (const q of p.of) checkPredicate(q);
    return;
  }
  if (p.kind !== 'cmp') bad(`unknown predicate kind ${String((p as { kind: unknown }).kind)}`);
  checkField(p.field);
  if (!(COMPARISON_OPS as readonly string[]).includes(p.op)) bad(`unknown operator ${String(p.op)}`);
  checkValue(p.value, `operand of ${p.op}`);
  if (p.op === 'in' && !Array.isArray(p.value)) bad('`in` needs an array operand');
  if (p.op === 'startsWith' && typeof p.value !== 'string') bad('`startsWith` needs a string operand');
}

function checkInclude(inc: IncludeSpec): void {
  if (!isName(inc.field)) bad(`include needs a top-level ref field, got "${inc.field}"`);
  if (inc.collection !== null && !isName(inc.collection)) bad(`invalid collection "${inc.collection}"`);
  if (!isName(inc.as) || inc.as === 'id') bad(`invalid include key "${inc.as}"`);
  for (const c of inc.include) checkInclude(c);
}

/** Validates a whole query; throws `E_INVALID_ARGUMENT` naming the first problem. */
export function checkQuery(q: Query): void {
  if (!isName(q.collection)) bad(`invalid collection "${String(q.collection)}"`);
  if (q.where !== null) checkPredicate(q.where);
  for (const k of q.orderBy) {
    checkField(k.field);
    if (k.dir !== 'asc' && k.dir !== 'desc') bad(`sort direction must be asc or desc`);
  }
  if (q.limit !== null && !(Number.isSafeInteger(q.limit) && q.limit >= 0)) bad('limit must be an integer ≥ 0');
  if (!(Number.isSafeInteger(q.offset) && q.offset >= 0)) bad('offset must be an integer ≥ 0');
  if (q.after !== null) {
    checkValue(q.after.k, 'cursor');
    if (!Array.isArray(q.after.k) || q.after.k.length !== q.orderBy.length || typeof q.after.id !== 'string')
      bad('cursor does not fit this query’s orderBy');
  }
  for (const inc of q.include) checkInclude(inc);
  // A row shows the included doc where the sort value was, so its cursor could not be derived.
  const shadowed = new Set(q.include.map((i) => i.as));
  for (const k of q.orderBy)
    if (k.field !== 'id' && shadowed.has(k.field.split('.')[0]!))
      bad(`cannot sort by "${k.field}": an include replaces it (give the include another \`as\`)`);
}

/** An empty query over `collection`. */
export function emptyQuery(collection: string): Query {
  return { collection, where: null, orderBy: [], limit: null, offset: 0, after: null, include: [] };
}

const QUERY_KEYS = ['after', 'collection', 'include', 'limit', 'offset', 'orderBy', 'where'];

/**
 * Checks a query that arrived as untrusted plain data (from a tab or a peer): exactly the
 * {@link Query} keys, canonical values only, then {@link checkQuery}. Anything malformed throws
 * `E_INVALID_ARGUMENT`, never a TypeError.
 */
export function parseQuery(input: unknown): Query {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) bad('a query must be an object');
  const keys = Object.keys(input).sort();
  if (keys.length !== QUERY_KEYS.length || keys.some((k, i) => k !== QUERY_KEYS[i]))
    bad(`a query has exactly the keys ${QUERY_KEYS.join(', ')}`);
  const q = input as Query;
  if (!Array.isArray(q.orderBy) || !Array.isArray(q.include)) bad('orderBy and include must be arrays');
  try {
    encode(q as unknown as CanonicalValue);
    checkQuery(q);
  } catch (err) {
    if (err instanceof WeftError && err.code === 'E_INVALID_ARGUMENT') throw err;
    bad(`malformed query (${err instanceof Error ? err.message : String(err)})`);
  }
  return q;
}
