/**
 * The loading half of text-codec.ts: splits decoded segments back into runs at id-block
 * boundaries, bulk-loads the tree and the id index (no op replay) and checks the result.
 */
import { WeftError } from '../../errors.ts';
import type { IdBlocks } from './id-blocks.ts';
import { bulkLoad } from './run-tree.ts';
import type { Run } from './run.ts';
import { NONE, TEXT_CONTENT, codePoints } from './run.ts';
import { SequenceCore } from './sequence-core.ts';

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** Builds a core from decoded segments (one run each) and the visible content. */
export function loadSegments(
  names: readonly string[],
  blocks: readonly IdBlocks[],
  runs: Run<string>[],
  content: string,
): SequenceCore<string> {
  let visible = 0;
  for (const s of runs) if (!s.deleted) visible += s.len;
  const bmp = content.length === visible;
  if (!bmp && codePoints(content) !== visible) fail('content length does not match the segments');
  const segPos = new Float64Array(runs.length + 1);
  let pos = 0;
  for (let i = 0; i < runs.length; i++) {
    const s = runs[i]!;
    segPos[i + 1] = segPos[i]! + s.len;
    if (!s.deleted) {
      const end = bmp ? pos + s.len : unitEnd(content, pos, s.len);
      s.content = content.slice(pos, end);
      pos = end;
    }
  }
  const core = new SequenceCore<string>(TEXT_CONTENT, bulkLoad(runs));
  names.forEach((n, a) => {
    core.agent(n);
    core.blocks[a] = blocks[a]!;
  });
  const byDense = blocks.map((b, a) => sortByDense(runs, a, b.total));
  byDense.forEach((order, a) => {
    const sorted = new Array<Run<string>>(order.length);
    for (let i = 0; i < order.length; i++) sorted[i] = runs[order[i]!]!;
    core.byAgent[a]!.load(sorted);
  });
  checkSegmentOrigins(runs, segPos, byDense);
  return core;
}

function unitEnd(s: string, from: number, cps: number): number {
  let i = from;
  for (let k = 0; k < cps; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/**
 * Indexes of agent `a`'s segments ordered by dense id, checking that they cover the agent's ids
 * `0 .. total-1` exactly once. A counting pass when ids are few per segment, a sort otherwise.
 */
function sortByDense(segs: readonly Run<string>[], a: number, total: number): Int32Array {
  let n = 0;
  for (const s of segs) if (s.agent === a) n++;
  const order = new Int32Array(n);
  if (total <= 32 * n + 4096) {
    const slot = new Int32Array(total);
    segs.forEach((s, i) => {
      if (s.agent === a) slot[s.counter] = i + 1;
    });
    let k = 0;
    for (let d = 0; d < total;) {
      const i = slot[d]! - 1;
      if (i < 0 || k >= n) fail('segments do not cover the ids exactly once');
      order[k++] = i;
      d += segs[i]!.len;
    }
    if (k !== n) fail('segments do not cover the ids exactly once');
    return order;
  }
  let k = 0;
  segs.forEach((s, i) => {
    if (s.agent === a) order[k++] = i;
  });
  const sorted = Array.from(order).sort((x, y) => segs[x]!.counter - segs[y]!.counter);
  let next = 0;
  for (const i of sorted) {
    if (segs[i]!.counter !== next) fail('segments do not cover the ids exactly once');
    next += segs[i]!.len;
  }
  if (next !== total) fail('segments do not cover the ids exactly once');
  order.set(sorted);
  return order;
}

/** Every left origin must sit before its segment and every right origin after it (E_DECODE otherwise). */
function checkSegmentOrigins(segs: readonly Run<string>[], segPos: Float64Array, byDense: readonly Int32Array[]): void {
  // Per agent, flat arrays of the segments' dense starts and document positions, in dense order.
  const starts: Float64Array[] = [];
  const places: Float64Array[] = [];
  for (const order of byDense) {
    const st = new Float64Array(order.length);
    const pl = new Float64Array(order.length);
    for (let k = 0; k < order.length; k++) {
      st[k] = segs[order[k]!]!.counter;
      pl[k] = segPos[order[k]!]!;
    }
    starts.push(st);
    places.push(pl);
  }
  const posOf = (a: number, d: number): number => {
    const s = starts[a]!;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= d) lo = mid;
      else hi = mid - 1;
    }
    return places[a]![lo]! + d - s[lo]!;
  };
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    // Most origins are the neighbouring segments' edges: accept those without a search.
    const prev = segs[i - 1];
    const next = segs[i + 1];
    if (s.olA !== NONE && !(prev !== undefined && prev.agent === s.olA && prev.counter + prev.len - 1 === s.olC))
      if (posOf(s.olA, s.olC) >= segPos[i]!) fail('left origin after its segment');
    if (s.orA !== NONE && !(next !== undefined && next.agent === s.orA && next.counter === s.orC))
      if (posOf(s.orA, s.orC) < segPos[i + 1]!) fail('right origin before its segment');
  }
}

/** Every left origin must sit before its run and every right origin after it (E_DECODE otherwise). */
export function checkOrigins<C>(core: SequenceCore<C>, runs: Run<C>[]): void {
  const at = new Map<Run<C>, number>();
  const start = new Float64Array(runs.length + 1);
  for (let i = 0; i < runs.length; i++) {
    at.set(runs[i]!, i);
    start[i + 1] = start[i]! + runs[i]!.len;
  }
  const posOf = (a: number, c: number): number => {
    const run = core.find(a, c)!;
    return start[at.get(run)!]! + c - run.counter;
  };
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i]!;
    if (r.olA !== NONE && posOf(r.olA, r.olC) >= start[i]!) fail('left origin after its run');
    if (r.orA !== NONE && posOf(r.orA, r.orC) < start[i + 1]!) fail('right origin before its run');
  }
}
