/**
 * Index-based text edits and their operational transform, for editing a `text` field through
 * the worker. The worker totally orders every visible change of a field into versions; a tab
 * edits against the version it last saw, and whichever side is behind transforms the other's
 * edits over what it missed (the client/server scheme of Jupiter and ot.js). Indices count code
 * points, as the engine's Text does.
 *
 * Invariants:
 *  1. {@link transform}: for any text `s` and edit lists `a`, `b` valid on `s`, with
 *     `[a2, b2] = transform(a, b)`, `apply(apply(s, a), b2) === apply(apply(s, b), a2)`.
 *  2. Ties (two inserts at one index) put `b`'s text first, so the side holding `b` must be the
 *     one both sides agree is ordered first: the worker's history.
 *  3. Edits from a tab are untrusted: {@link parseTextEdits} checks shape and size and throws
 *     `E_INVALID_ARGUMENT`/`E_TOO_LARGE`; {@link applyEdits} throws `E_INVALID_ARGUMENT` for an
 *     index out of range, before changing anything.
 */
import { WeftError } from '@weft/engine';

/** Insert `text` at code point `index`, or delete `count` code points from `index`. */
export type TextEdit = readonly ['i', index: number, text: string] | readonly ['d', index: number, count: number];

/** Most edits one call may carry, and most code points one insert may hold. */
export const MAX_TEXT_EDITS = 1_000;
export const MAX_INSERT_CHARS = 1_000_000;

const isCount = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;

function bad(message: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `malformed text edit: ${message}`);
}

/** Checks a tab's edit list (invariant 3). */
export function parseTextEdits(input: unknown): TextEdit[] {
  if (!Array.isArray(input)) bad('edits must be an array');
  if (input.length > MAX_TEXT_EDITS) throw new WeftError('E_TOO_LARGE', `at most ${MAX_TEXT_EDITS} edits per call`);
  for (const e of input as unknown[]) {
    if (!Array.isArray(e) || e.length !== 3 || !isCount(e[1])) bad('an edit is [kind, index, arg]');
    if (e[0] === 'i') {
      if (typeof e[2] !== 'string' || e[2].length === 0) bad('an insert needs text');
      if (e[2].length > MAX_INSERT_CHARS) throw new WeftError('E_TOO_LARGE', 'insert too long');
    } else if (e[0] === 'd') {
      if (!isCount(e[2]) || e[2] === 0) bad('a delete needs a positive count');
    } else bad(`unknown kind ${String(e[0])}`);
  }
  return input as TextEdit[];
}

/** Code points of `s`. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= s.length) n++;
    else {
      const d = s.charCodeAt(i + 1);
      n++;
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
  }
  return n;
}

/** The UTF-16 offset of code point `cp` in `s` (clamped to the end). */
export function utf16Offset(s: string, cp: number): number {
  let i = 0;
  for (let n = 0; n < cp && i < s.length; n++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  return i;
}

/** The code point index of UTF-16 offset `off` in `s`. */
export function codePointOffset(s: string, off: number): number {
  return codePointLength(s.slice(0, off));
}

/** Applies `edits` in order to `s` (invariant 3: all-or-nothing). */
export function applyEdits(s: string, edits: readonly TextEdit[]): string {
  let out = s;
  let len = codePointLength(s);
  for (const e of edits) {
    if (e[0] === 'i') {
      if (e[1] > len) bad(`insert at ${e[1]} beyond length ${len}`);
      const at = utf16Offset(out, e[1]);
      out = out.slice(0, at) + e[2] + out.slice(at);
      len += codePointLength(e[2]);
    } else {
      if (e[1] + e[2] > len) bad(`delete ${e[1]}+${e[2]} beyond length ${len}`);
      out = out.slice(0, utf16Offset(out, e[1])) + out.slice(utf16Offset(out, e[1] + e[2]));
      len -= e[2];
    }
  }
  return out;
}

/** One edit of `a` moved over one edit `b` applied before it (b wins insert ties). */
function over(a: TextEdit, b: TextEdit, aWins: boolean): TextEdit[] {
  const [ak, ai] = a;
  const [bk, bi] = b;
  if (bk === 'i') {
    const n = codePointLength(b[2]);
    if (ak === 'i') return ai < bi || (ai === bi && aWins) ? [a] : [['i', ai + n, a[2]]];
    const ac = a[2];
    if (bi <= ai) return [['d', ai + n, ac]];
    if (bi >= ai + ac) return [a];
    // b inserted inside the range a deletes: delete around it, keeping b's text.
    return [
      ['d', ai, bi - ai],
      ['d', ai + n, ac - (bi - ai)],
    ];
  }
  const bc = b[2];
  if (ak === 'i') {
    if (ai <= bi) return [a];
    if (ai >= bi + bc) return [['i', ai - bc, a[2]]];
    return [['i', bi, a[2]]];
  }
  const ac = a[2];
  const start = Math.max(ai, bi);
  const end = Math.min(ai + ac, bi + bc);
  const overlap = Math.max(0, end - start);
  const count = ac - overlap;
  return count === 0 ? [] : [['d', ai <= bi ? ai : Math.max(bi, ai - bc), count]];
}

/**
 * Transforms concurrent edit lists (invariant 1): returns `a` rewritten to apply after `b`, and
 * `b` rewritten to apply after `a`. `b` wins insert ties (invariant 2).
 */
export function transform(a: readonly TextEdit[], b: readonly TextEdit[]): [TextEdit[], TextEdit[]] {
  return xf(a, b);
}

function xf(a: readonly TextEdit[], b: readonly TextEdit[]): [TextEdit[], TextEdit[]] {
  if (a.length === 0 || b.length === 0) return [[...a], [...b]];
  if (a.length > 1) {
    const [a1, b1] = xf([a[0]!], b);
    const [a2, b2] = xf(a.slice(1), b1);
    return [[...a1, ...a2], b2];
  }
  if (b.length > 1) {
    const [a1, b1] = xf(a, [b[0]!]);
    const [a2, b2] = xf(a1, b.slice(1));
    return [a2, [...b1, ...b2]];
  }
  return [over(a[0]!, b[0]!, false), over(b[0]!, a[0]!, true)];
}

/** Moves a cursor position over `edits` applied before it (a cursor stays after text typed at it). */
export function transformIndex(index: number, edits: readonly TextEdit[]): number {
  let at = index;
  for (const e of edits) {
    if (e[0] === 'i') {
      if (e[1] <= at) at += codePointLength(e[2]);
    } else if (e[1] < at) at -= Math.min(e[2], at - e[1]);
  }
  return at;
}
