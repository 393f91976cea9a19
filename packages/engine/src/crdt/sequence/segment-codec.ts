/**
 * The segment columns of a text snapshot. A segment is a stretch of runs in document order whose
 * dense ids (id-blocks.ts) continue each other with the same right origin and deleted flag; the
 * segments of a text are exactly the items Yjs would hold for it.
 *
 * Per segment one tag byte: bit 0 deleted; bits 1-2 left origin (LO_*); bits 3-4 right origin
 * (RO_*); bit 5 "id explicit" (otherwise it is the left origin's dense id + 1, a continuation);
 * bits 6-7 the length when it is 1-3 (0: in the length bit column as length - 4).
 *
 * Left origins use a stack model. FugueMax order is a tree walk, so text inserted into the middle
 * of a segment is followed by that segment's continuation: "ab [X [Y] X'] cd". Every segment is
 * pushed; a left origin equal to the last element of the k-th entry from the top costs k (0 is
 * the previous segment and costs nothing) and pops the k entries above it. That entry is also the
 * segment holding the left origin, whose right origin new text typed there usually shares.
 */
import { WeftError } from '../../errors.ts';
import { BitColumnReader, BitColumnWriter } from './bit-column.ts';
import type { IdBlocks } from './id-blocks.ts';
import { Leaf } from './run-tree.ts';
import { NONE, Run } from './run.ts';
import { type ByteReader, ByteWriter, RleReader, RleWriter } from './varint.ts';

/** A segment: the fields of a run, with snapshot agent indexes and dense counters. */
export interface Seg {
  agent: number;
  counter: number;
  len: number;
  deleted: boolean;
  olA: number;
  olC: number;
  orA: number;
  orC: number;
}

const LO_PREV = 0;
const LO_STACK = 1;
const LO_EXPLICIT = 2;
const LO_NONE = 3;
const RO_AS_LEFT = 0;
const RO_NEXT = 1;
const RO_AFTER_LEFT = 2;
const RO_EXPLICIT = 3;
const MAX_DEPTH = 64;

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** Writes the segment columns. */
export function writeSegments(out: ByteWriter, segs: readonly Seg[], agents: number): void {
  const agentCol = new RleWriter();
  const tags = new ByteWriter();
  const lens = new BitColumnWriter();
  const ids = new ByteWriter();
  const ols = new ByteWriter();
  const ors = new ByteWriter();
  const lastEnd = new Array<number>(agents).fill(0);
  const stack: Seg[] = [];
  let top = 0;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    let lo = LO_NONE;
    let left: Seg | undefined;
    if (s.olA !== NONE) {
      let k = 0;
      for (; k < MAX_DEPTH && k < top; k++) {
        const e = stack[top - 1 - k]!;
        if (e.agent === s.olA && e.counter + e.len - 1 === s.olC) break;
      }
      if (k < MAX_DEPTH && k < top) {
        lo = k === 0 ? LO_PREV : LO_STACK;
        if (k > 0) ols.uint(k - 1);
        top -= k;
        left = stack[top - 1];
      } else {
        lo = LO_EXPLICIT;
        ols.uint(s.olA);
        ols.int(s.olC - lastEnd[s.olA]!);
      }
    }
    const implicitId = s.olA === s.agent && s.olC + 1 === s.counter;
    if (!implicitId) ids.int(s.counter - lastEnd[s.agent]!);
    const next = segs[i + 1];
    let ro: number;
    if (left !== undefined && left.orA === s.orA && left.orC === s.orC) ro = RO_AS_LEFT;
    else if (s.orA !== NONE && next !== undefined && next.agent === s.orA && next.counter === s.orC) ro = RO_NEXT;
    else if (s.orA !== NONE && s.orA === s.olA && s.orC === s.olC + 1) ro = RO_AFTER_LEFT;
    else {
      ro = RO_EXPLICIT;
      if (s.orA === NONE) ors.uint(agents);
      else {
        ors.uint(s.orA);
        ors.int(s.orC - (s.orA === s.agent ? s.counter : lastEnd[s.orA]!));
      }
    }
    const lenClass = s.len < 4 ? s.len : 0;
    if (lenClass === 0) lens.push(s.len - 4);
    agentCol.push(s.agent);
    tags.byte((s.deleted ? 1 : 0) | (lo << 1) | (ro << 3) | (implicitId ? 0 : 32) | (lenClass << 6));
    lastEnd[s.agent] = s.counter + s.len;
    stack[top++] = s;
  }
  out.block(agentCol.finish());
  out.block(tags.finish());
  lens.finish(out);
  out.block(ids.finish());
  out.block(ols.finish());
  out.block(ors.finish());
}

/**
 * Reads `n` segments straight into runs (content empty, to be filled by the caller), validating
 * every reference against the id blocks.
 */
export function readSegments(r: ByteReader, n: number, blocks: readonly IdBlocks[]): Run<string>[] {
  const agentCol = new RleReader(r.block());
  const tags = r.block();
  const lens = new BitColumnReader(r);
  const ids = r.block();
  const ols = r.block();
  const ors = r.block();
  const agents = blocks.length;
  const totals = blocks.map((b) => b.total);
  const lastEnd = new Array<number>(agents).fill(0);
  const stack: Run<string>[] = [];
  let top = 0;
  const out = new Array<Run<string>>(n);
  const dummy = new Leaf<string>();
  let pendingNext: Run<string> | null = null;
  for (let i = 0; i < n; i++) {
    const agent = agentCol.next();
    if (agent >= agents) fail('agent index out of range');
    const tag = tags.byte();
    const lenClass = tag >> 6;
    const len = lenClass === 0 ? lens.next() + 4 : lenClass;
    const lo = (tag >> 1) & 3;
    let olA = NONE;
    let olC = 0;
    let left: Run<string> | undefined;
    if (lo === LO_PREV || lo === LO_STACK) {
      const k = lo === LO_PREV ? 0 : ols.uint() + 1;
      if (k >= top || k >= MAX_DEPTH) fail('left origin beyond the segment stack');
      top -= k;
      left = stack[top - 1]!;
      olA = left.agent;
      olC = left.counter + left.len - 1;
    } else if (lo === LO_EXPLICIT) {
      olA = ols.uint();
      if (olA >= agents) fail('agent index out of range');
      olC = lastEnd[olA]! + ols.int();
      if (olC < 0 || olC >= totals[olA]!) fail('element reference out of range');
    }
    let counter: number;
    if ((tag & 32) === 0) {
      if (olA !== agent) fail('implicit id without a left origin of the same agent');
      counter = olC + 1;
    } else counter = lastEnd[agent]! + ids.int();
    if (counter < 0 || counter + len > totals[agent]!) fail('segment ids out of range');
    const s = new Run<string>(agent, counter, len, '', (tag & 1) === 1, olA, olC, NONE, 0, dummy);
    if (pendingNext !== null) {
      pendingNext.orA = agent;
      pendingNext.orC = counter;
      pendingNext = null;
    }
    const ro = (tag >> 3) & 3;
    if (ro === RO_AS_LEFT) {
      if (left === undefined) fail('right origin refers to a missing left segment');
      s.orA = left.orA;
      s.orC = left.orC;
    } else if (ro === RO_NEXT) pendingNext = s;
    else if (ro === RO_AFTER_LEFT) {
      if (olA === NONE || olC + 1 >= totals[olA]!) fail('right origin after a missing left origin');
      s.orA = olA;
      s.orC = olC + 1;
    } else {
      const a = ors.uint();
      if (a > agents) fail('agent index out of range');
      if (a !== agents) {
        s.orA = a;
        s.orC = (a === agent ? counter : lastEnd[a]!) + ors.int();
        if (s.orC < 0 || s.orC >= totals[a]!) fail('element reference out of range');
      }
    }
    lastEnd[agent] = counter + len;
    stack[top++] = s;
    out[i] = s;
  }
  if (pendingNext !== null) fail('last segment cannot point to a next one');
  if (!agentCol.done || !tags.done || !lens.done || !ids.done || !ols.done || !ors.done) fail('trailing column data');
  return out;
}
