/**
 * Dense ids. The engine's counters are `seq * 2^20 + k`, so one author's ids form one contiguous
 * block per change, with huge gaps between blocks. Inside the CRDT every element is named by its
 * dense index instead: its rank among its agent's ids. An agent's ids arrive in counter order
 * (causal delivery), so the block table is append-only and a dense index never changes; all
 * replicas that know an id agree on its dense index. With dense ids, text typed across several
 * changes is one run again (as in Yjs), and snapshots store each block once.
 */
import { WeftError } from '../../errors.ts';
import { BitColumnReader, BitColumnWriter } from './bit-column.ts';
import { type ByteReader, type ByteWriter, RleReader, RleWriter } from './varint.ts';

const STRIDE = 2 ** 20;

/** One agent's id blocks: sorted, disjoint, non-adjacent. */
export class IdBlocks {
  /** Real counter of each block's first id. */
  readonly starts: number[];
  readonly lens: number[];
  /** Dense index of each block's first id. */
  readonly dense: number[];
  /** Number of ids. */
  total: number;
  /** Block of the last lookup: lookups cluster on recent blocks. */
  private hint = 0;

  /** One past the highest real counter (0 when empty): new ids must start at or after it. */
  get end(): number {
    const last = this.starts.length - 1;
    return last < 0 ? 0 : this.starts[last]! + this.lens[last]!;
  }

  /** Blocks over sorted, disjoint, non-adjacent `starts`/`lens` (validated by the caller; adopted). */
  constructor(starts: number[] = [], lens: number[] = []) {
    this.starts = starts;
    this.lens = lens;
    this.dense = new Array<number>(starts.length);
    let total = 0;
    for (let i = 0; i < starts.length; i++) {
      this.dense[i] = total;
      total += lens[i]!;
    }
    this.total = total;
  }

  /** Appends ids `start .. start+len-1` (start >= {@link end}); returns the dense index of `start`. */
  add(start: number, len: number): number {
    const d = this.total;
    const last = this.starts.length - 1;
    if (last >= 0 && this.starts[last]! + this.lens[last]! === start) this.lens[last]! += len;
    else {
      this.starts.push(start);
      this.lens.push(len);
      this.dense.push(d);
    }
    this.total += len;
    return d;
  }

  /** Index of the block holding real counter `c` (or the last one starting at or before it). */
  private blockOf(c: number): number {
    const s = this.starts;
    const h = this.hint;
    if (h < s.length && s[h]! <= c && (h + 1 === s.length || s[h + 1]! > c)) return h;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= c) lo = mid;
      else hi = mid - 1;
    }
    return (this.hint = lo);
  }

  /** Index of the block holding dense index `d`. */
  blockOfDense(d: number): number {
    const s = this.dense;
    const h = this.hint;
    if (h < s.length && s[h]! <= d && (h + 1 === s.length || s[h + 1]! > d)) return h;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= d) lo = mid;
      else hi = mid - 1;
    }
    return (this.hint = lo);
  }

  /** Dense index of real counter `c`, or -1 when `c` is not one of the ids. */
  toDense(c: number): number {
    if (this.total === 0) return -1;
    const b = this.blockOf(c);
    const off = c - this.starts[b]!;
    return off >= 0 && off < this.lens[b]! ? this.dense[b]! + off : -1;
  }

  /** Real counter of dense index `d` (0 <= d < total). */
  toReal(d: number): number {
    const b = this.blockOfDense(d);
    return this.starts[b]! + d - this.dense[b]!;
  }

  /** Splits dense ids `d .. d+len-1` into runs of contiguous real counters: `f(real, length)`. */
  realRanges(d: number, len: number, f: (real: number, n: number) => void): void {
    while (len > 0) {
      const b = this.blockOfDense(d);
      const take = Math.min(len, this.dense[b]! + this.lens[b]! - d);
      f(this.starts[b]! + d - this.dense[b]!, take);
      d += take;
      len -= take;
    }
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
  const gapCol = new BitColumnReader(input);
  const r = new RleReader(input.block());
  const lenCol = new BitColumnReader(input);
  const gaps = gapCol.take(Math.max(0, all - counts.filter((n) => n > 0).length));
  const lens = lenCol.take(all);
  const out: IdBlocks[] = [];
  let g = 0;
  let li = 0;
  counts.forEach((n, a) => {
    const starts = new Array<number>(n);
    const ls = new Array<number>(n);
    let q = firsts[a]!;
    let end = -1;
    for (let i = 0; i < n; i++) {
      if (i > 0) q += gaps[g++]! + minGap;
      const off = r.next();
      const l = lens[li++]! + 1;
      const start = q * STRIDE + off;
      if (off >= STRIDE || start <= end || !Number.isSafeInteger(start + l)) fail('bad id block');
      starts[i] = start;
      ls[i] = l;
      end = start + l;
    }
    out.push(new IdBlocks(starts, ls));
  });
  if (!gapCol.done || !r.done || !lenCol.done) fail('trailing id block data');
  return out;
}
