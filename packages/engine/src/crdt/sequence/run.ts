/**
 * A run: consecutive elements of one author that were typed (or inserted) in one go, stored as a
 * single object. Element `k` of a run has id `(agent, counter + k)`; its left origin is element
 * `k - 1` of the same run (element 0 carries an explicit one) and every element shares the run's
 * right origin. That is exactly the shape a burst of typing has, so a burst costs one object.
 */
import type { Leaf } from './run-tree.ts';

/** No origin: the document start (left) or end (right). Agent numbers are indexes in the agent table. */
export const NONE = -1;

/** How a sequence stores the content of its runs: strings for text, arrays for lists. */
export interface ContentOps<C> {
  /** The content of a run whose elements are not kept (deleted text). */
  readonly empty: C;
  /** Elements `start..end` of `c`, a run of `len` elements. */
  slice(c: C, start: number, end: number, len: number): C;
  /** `a` followed by `b`. */
  concat(a: C, b: C): C;
  /** True when deleted content is dropped (text never needs it again; lists keep element records). */
  readonly dropDeleted: boolean;
}

/** One run of elements. Mutable on purpose: the tree and the id index share the same object. */
export class Run<C> {
  constructor(
    /** Agent-table index of the author. */
    public agent: number,
    /** Counter of element 0. */
    public counter: number,
    /** Number of elements; 0 once the run was merged into its left neighbour (it is then dead). */
    public len: number,
    /** The elements, or `ops.empty` when deleted and dropped. */
    public content: C,
    /** Tombstone flag, shared by every element of the run. */
    public deleted: boolean,
    /** Left origin of element 0 (agent index or {@link NONE}, counter). */
    public olA: number,
    public olC: number,
    /** Right origin of every element (agent index or {@link NONE}, counter). */
    public orA: number,
    public orC: number,
    /** The leaf holding this run; kept up to date when leaves split. */
    public leaf: Leaf<C>,
  ) {}
}

/** True when `b` can be appended to `a` as if both had always been one run. */
export function canMerge<C>(a: Run<C>, b: Run<C>): boolean {
  return (
    a.agent === b.agent &&
    a.counter + a.len === b.counter &&
    b.olA === a.agent &&
    b.olC === b.counter - 1 &&
    a.orA === b.orA &&
    a.orC === b.orC &&
    a.deleted === b.deleted
  );
}

/** Counts code points; `-1` when the string holds a lone surrogate (not encodable as UTF-8). */
export function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) {
      if (c >= 0xdc00) return -1;
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return -1;
      i++;
    }
    n++;
  }
  return n;
}

/** UTF-16 offset of code point `cp` in `s`. */
function unitOffset(s: string, cp: number): number {
  let i = 0;
  for (let k = 0; k < cp; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** Text content: one string per run, elements are code points so no edit can split a surrogate pair. */
export const TEXT_CONTENT: ContentOps<string> = {
  empty: '',
  slice(c, start, end, len) {
    if (c.length === len) return c.slice(start, end);
    if (c.length === 0) return c;
    const a = unitOffset(c, start);
    return c.slice(a, a + unitOffset(c.slice(a), end - start));
  },
  concat: (a, b) => a + b,
  dropDeleted: true,
};

/** List content: an array of element cells per run, kept after deletion. */
export function arrayContent<T>(): ContentOps<T[]> {
  return {
    empty: [],
    slice: (c, start, end) => c.slice(start, end),
    concat: (a, b) => a.concat(b),
    dropDeleted: false,
  };
}
