/**
 * Dense ids for snapshots. The engine's counters are `seq * 2^20 + k`, so one author's ids form
 * one contiguous block per change with huge gaps between blocks. A snapshot stores each agent's
 * blocks once (`start`, `length`, columnar and run-length encoded) and then refers to elements
 * by their dense index, their rank among that agent's ids. Dense indexes are small and make
 * the runs of consecutive changes contiguous again, so a burst typed across several changes
 * encodes as one segment.
 */
import { WeftError } from '../../errors.ts';
import { BitColumnReader, BitColumnWriter } from './bit-column.ts';
import { type ByteReader, type ByteWriter, RleReader, RleWriter } from './varint.ts';

const STRIDE = 2 ** 20;

/** One agent's id blocks, sorted, non-adjacent. */
export class IdBlocks {
  readonly starts: number[] = [];
  readonly lens: number[] = [];
  /** Dense index of each block's first id. */
  readonly dense: number[] = [];
  /** Number of ids. */
  total = 0;

  /** Appends ids `start .. start+len-1`, which must come after every id added so far. */
  add(start: number, len: number): void {
    const last = this.starts.length - 1;
    if (last >= 0 && this.starts[last]! + this.lens[last]! === start) this.lens[last]! += len;
    else {
      this.starts.push(start);
      this.lens.push(len);
      this.dense.push(this.total);
    }
    this.total += len;
  }

  /** Index of the block holding real counter `c` (or the last one starting at or before it). */
  blockOf(c: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= c) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the block holding dense index `d`. */
  blockOfDense(d: number): number {
    const s = this.dense;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= d) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Dense index of real counter `c` (which must be one of the ids). */
  toDense(c: number): number {
    const b = this.blockOf(c);
    return this.dense[b]! + c - this.starts[b]!;
  }

  /** Real counter of dense index `d` (0 <= d < total). */
  toReal(d: number): number {
    const b = this.blockOfDense(d);
    return this.starts[b]! + d - this.dense[b]!;
  }
}

/**
 * Writes every agent's blocks: per agent the block count and its first stride (`start / 2^20`),
 * then bit columns of stride gaps (minus the smallest gap) and lengths (minus 1), and an RLE
 * column of offsets within the stride (always 0 for engine ids).
 */
export function writeBlocks(out: ByteWriter, all: readonly IdBlocks[]): void {
  let minGap = Infinity;
  for (const b of all)
    for (let i = 1; i < b.starts.length; i++)
      minGap = Math.min(minGap, Math.floor(b.starts[i]! / STRIDE) - Math.floor(b.starts[i - 1]! / STRIDE));
  if (minGap === Infinity) minGap = 0;
  out.uint(minGap);
  const gaps = new BitColumnWriter();
  const r = new RleWriter();
  const len = new BitColumnWriter();
  for (const b of all) {
    out.uint(b.starts.length);
    out.uint(b.starts.length === 0 ? 0 : Math.floor(b.starts[0]! / STRIDE));
    let prevQ = -1;
    for (let i = 0; i < b.starts.length; i++) {
      const s = b.starts[i]!;
      const sq = Math.floor(s / STRIDE);
      if (i > 0) gaps.push(sq - prevQ - minGap);
      r.push(s - sq * STRIDE);
      len.push(b.lens[i]! - 1);
      prevQ = sq;
    }
  }
  gaps.finish(out);
  out.block(r.finish());
  len.finish(out);
}

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** Reads what {@link writeBlocks} wrote, for `agents` agents, validating order and overflow. */
export function readBlocks(input: ByteReader, agents: number): IdBlocks[] {
  const minGap = input.uint();
  const counts: number[] = [];
  const firsts: number[] = [];
  let all = 0;
  for (let a = 0; a < agents; a++) {
    const n = input.uint();
    all += n;
    if (all > 8 * (input.end - input.pos)) fail('too many id blocks');
    counts.push(n);
    firsts.push(input.uint());
  }
  const gaps = new BitColumnReader(input);
  const r = new RleReader(input.block());
  const len = new BitColumnReader(input);
  const out: IdBlocks[] = [];
  counts.forEach((n, a) => {
    const b = new IdBlocks();
    let q = firsts[a]!;
    let end = -1;
    for (let i = 0; i < n; i++) {
      if (i > 0) q += gaps.next() + minGap;
      const off = r.next();
      const l = len.next() + 1;
      const start = q * STRIDE + off;
      if (off >= STRIDE || start <= end || !Number.isSafeInteger(start + l)) fail('bad id block');
      b.add(start, l);
      end = start + l;
    }
    out.push(b);
  });
  if (!gaps.done || !r.done || !len.done) fail('trailing id block data');
  return out;
}
