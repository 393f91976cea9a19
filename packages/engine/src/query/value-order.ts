/**
 * The total order queries sort and compare by, over every value a document field can hold.
 *
 * Invariants:
 *  1. Type classes order null < booleans < numbers < strings < bytes < arrays < objects.
 *  2. Within a class: false < true; numbers numerically (-0 equals 0); strings by Unicode code
 *     point (= UTF-8 byte order, not JS's UTF-16 `<`); bytes byte-wise; arrays element by
 *     element, a prefix first; objects as their (key, value) pairs with keys sorted by code
 *     point, compared pair by pair, a prefix first.
 *  3. `compareValues(a, b) === 0` exactly when a and b are the same canonical value, so it is
 *     also the equality `==`, `in` and `contains` use.
 *  4. key-encoding.ts maps this order onto byte order; its property test holds them together.
 *
 * A missing field reads as `null` (see {@link readPath}), so it sorts first and equals `null`.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';

/** Rank of a value's type class (invariant 1): 0 null … 6 object. */
export function typeRank(v: CanonicalValue): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
    default:
      return v instanceof Uint8Array ? 4 : Array.isArray(v) ? 5 : 6;
  }
}

/**
 * Compares strings by code point. Only code units at or above 0xD800 disagree between UTF-16
 * order and code point order; remapping them (surrogates above the rest of the BMP) fixes it.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

function compareBytesOrder(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Object keys in code point order (the order invariant 2 compares pairs in). */
export function sortedKeys(o: { readonly [key: string]: CanonicalValue }): string[] {
  return Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort(compareStrings);
}

/** The total order of invariants 1-2: negative, zero or positive. */
export function compareValues(a: CanonicalValue, b: CanonicalValue): number {
  if (a === b) return 0;
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return (a ? 1 : 0) - (b ? 1 : 0);
    case 2:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 3:
      return compareStrings(a as string, b as string);
    case 4:
      return compareBytesOrder(a as Uint8Array, b as Uint8Array);
    case 5: {
      const x = a as readonly CanonicalValue[];
      const y = b as readonly CanonicalValue[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = a as { readonly [key: string]: CanonicalValue };
      const y = b as { readonly [key: string]: CanonicalValue };
      const kx = sortedKeys(x);
      const ky = sortedKeys(y);
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        const ck = compareStrings(kx[i]!, ky[i]!);
        if (ck !== 0) return ck;
        const cv = compareValues(x[kx[i]!]!, y[ky[i]!]!);
        if (cv !== 0) return cv;
      }
      return kx.length - ky.length;
    }
  }
}

/** Deep equality of canonical values (invariant 3). */
export function valuesEqual(a: CanonicalValue, b: CanonicalValue): boolean {
  return compareValues(a, b) === 0;
}

const pathCache = new Map<string, readonly string[]>();

/** A dotted field path split into segments (memoised: queries reuse a handful of paths). */
export function splitPath(field: string): readonly string[] {
  let p = pathCache.get(field);
  if (p === undefined) {
    p = field.split('.');
    if (pathCache.size < 1024) pathCache.set(field, p);
  }
  return p;
}

/**
 * The value at a dotted path of a document, `null` when any segment is missing or crosses a
 * non-object: queries treat an absent field exactly like a `null` one.
 */
export function readPath(value: { readonly [key: string]: CanonicalValue }, field: string): CanonicalValue {
  const segs = splitPath(field);
  let cur: CanonicalValue = value;
  for (const s of segs) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || cur instanceof Uint8Array) return null;
    const next: CanonicalValue | undefined = (cur as { readonly [key: string]: CanonicalValue })[s];
    if (next === undefined || !Object.hasOwn(cur, s)) return null;
    cur = next;
  }
  return cur;
}
