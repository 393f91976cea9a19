/**
 * The edits that turn one text into another, for changes the worker did not make itself
 * (remote changes, rollbacks, reloads): the engine reports which docs changed, not where.
 *
 * Invariants:
 *  1. `applyEdits(before, diffText(before, after)) === after`, always.
 *  2. Edits are minimal around a single changed region (common prefix and suffix are kept), and
 *     a middle of up to {@link MAX_MIDDLE} code points that differs in at most
 *     {@link MAX_DISTANCE} code points is diffed exactly (Myers), so a batch that edits two
 *     places reports two places and a tab's concurrent edit between them is not swallowed.
 *     Past that budget the middle is one replace: still correct, less precise.
 */
import type { TextEdit } from '../protocol/text-ops.ts';

/** Longest changed middle diffed exactly (bounds the Myers trace: distance × middle). */
export const MAX_MIDDLE = 4_000;
/** Largest edit distance searched exactly. */
export const MAX_DISTANCE = 64;

/** Edits from `before` to `after`, in code points, applied in order (invariant 1). */
export function diffText(before: string, after: string): TextEdit[] {
  if (before === after) return [];
  const a = Array.from(before);
  const b = Array.from(after);
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  const am = a.slice(p, a.length - s);
  const bm = b.slice(p, b.length - s);
  const script = am.length + bm.length <= MAX_MIDDLE ? myers(am, bm) : undefined;
  if (script === undefined) return replace(p, am.length, bm.join(''));
  // Walk the script, emitting edits against the text as it is after the previous ones.
  const out: TextEdit[] = [];
  let at = p;
  for (const [kind, n, text] of script) {
    if (kind === '=') at += n;
    else if (kind === '-') out.push(['d', at, n]);
    else {
      out.push(['i', at, text]);
      at += n;
    }
  }
  return out;
}

function replace(at: number, del: number, ins: string): TextEdit[] {
  const out: TextEdit[] = [];
  if (del > 0) out.push(['d', at, del]);
  if (ins.length > 0) out.push(['i', at, ins]);
  return out;
}

type Step = readonly ['=' | '-' | '+', number, string];

/** Myers' O(ND) shortest edit script, as runs of keep/delete/insert. */
function myers(a: readonly string[], b: readonly string[]): Step[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const off = max;
  const v = new Int32Array(2 * max + 2);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(max, MAX_DISTANCE); d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, off, d);
    }
  }
  return undefined;
}

function backtrack(trace: Int32Array[], a: readonly string[], b: readonly string[], off: number, dEnd: number): Step[] {
  const rev: ['=' | '-' | '+', string][] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? k + 1 : k - 1;
    const px = v[off + prevK]!;
    const py = px - prevK;
    while (x > px && y > py) {
      rev.push(['=', a[--x]!]);
      y--;
    }
    if (x === px) rev.push(['+', b[--y]!]);
    else rev.push(['-', a[--x]!]);
  }
  while (x > 0 && y > 0) {
    rev.push(['=', a[--x]!]);
    y--;
  }
  // Merge single steps into runs.
  const out: [Step[0], number, string][] = [];
  for (let i = rev.length - 1; i >= 0; i--) {
    const [kind, ch] = rev[i]!;
    const last = out[out.length - 1];
    if (last !== undefined && last[0] === kind) {
      last[1]++;
      last[2] += ch;
    } else out.push([kind, 1, ch]);
  }
  return out;
}
