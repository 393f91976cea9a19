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
 * the previous segment and costs nothing) and pops the k entries above it.
 */
import { WeftError } from '../../errors.ts';
import type { IdBlocks } from './id-blocks.ts';
import { NONE } from './run.ts';
import { BitColumnReader, BitColumnWriter } from './bit-column.ts';
import { type ByteReader, ByteWriter, RleReader, RleWriter } from './varint.ts';

/** A segment with dense ids; `olA`/`orA` are snapshot agent indexes or NONE. */
export interface Seg {
  agent: number;
  dense: number;
  len: number;
  deleted: boolean;
  olA: number;
  olD: number;
  orA: number;
  orD: number;
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

/** Shared bookkeeping of encoder and decoder, so both predict identically. */
class Model {
  readonly stack: Seg[] = [];
  readonly lastEnd: number[];
  readonly endMaps: Map<number, Seg>[];
  constructor(agents: number) {
    this.lastEnd = new Array<number>(agents).fill(0);
    this.endMaps = Array.from({ length: agents }, () => new Map<number, Seg>());
  }
  /** The right origin shared with the segment whose last element is the left origin. */
  leftSeg(s: Seg): Seg | undefined {
    return s.olA === NONE ? undefined : this.endMaps[s.olA]!.get(s.olD + 1);
  }
  done(s: Seg): void {
    this.lastEnd[s.agent] = s.dense + s.len;
    this.endMaps[s.agent]!.set(s.dense + s.len, s);
    this.stack.push(s);
  }
}

/** Writes the segment columns. */
export function writeSegments(out: ByteWriter, segs: readonly Seg[], agents: number): void {
  const agentCol = new RleWriter();
  const tags = new ByteWriter();
  const lens = new BitColumnWriter();
  const ids = new ByteWriter();
  const ols = new ByteWriter();
  const ors = new ByteWriter();
  const m = new Model(agents);
  const stack = m.stack;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    let lo = LO_NONE;
    if (s.olA !== NONE) {
      let k = 0;
      for (; k < MAX_DEPTH && k < stack.length; k++) {
        const e = stack[stack.length - 1 - k]!;
        if (e.agent === s.olA && e.dense + e.len - 1 === s.olD) break;
      }
      if (k < MAX_DEPTH && k < stack.length) {
        lo = k === 0 ? LO_PREV : LO_STACK;
        if (k > 0) ols.uint(k - 1);
        stack.length -= k;
      } else {
        lo = LO_EXPLICIT;
        ols.uint(s.olA);
        ols.int(s.olD - m.lastEnd[s.olA]!);
      }
    }
    const implicitId = s.olA === s.agent && s.olD + 1 === s.dense;
    if (!implicitId) ids.int(s.dense - m.lastEnd[s.agent]!);
    const left = m.leftSeg(s);
    const next = segs[i + 1];
    let ro: number;
    if (left !== undefined && left.orA === s.orA && left.orD === s.orD) ro = RO_AS_LEFT;
    else if (s.orA !== NONE && next !== undefined && next.agent === s.orA && next.dense === s.orD) ro = RO_NEXT;
    else if (s.orA !== NONE && s.orA === s.olA && s.orD === s.olD + 1) ro = RO_AFTER_LEFT;
    else {
      ro = RO_EXPLICIT;
      if (s.orA === NONE) ors.uint(agents);
      else {
        ors.uint(s.orA);
        ors.int(s.orD - (s.orA === s.agent ? s.dense : m.lastEnd[s.orA]!));
      }
    }
    const lenClass = s.len < 4 ? s.len : 0;
    if (lenClass === 0) lens.push(s.len - 4);
    agentCol.push(s.agent);
    tags.bytes(Uint8Array.of((s.deleted ? 1 : 0) | (lo << 1) | (ro << 3) | (implicitId ? 0 : 32) | (lenClass << 6)));
    m.done(s);
  }
  out.block(agentCol.finish());
  out.block(tags.finish());
  lens.finish(out);
  out.block(ids.finish());
  out.block(ols.finish());
  out.block(ors.finish());
}

/** Reads `n` segments, validating every reference against the id blocks. */
export function readSegments(r: ByteReader, n: number, blocks: readonly IdBlocks[]): Seg[] {
  const agentCol = new RleReader(r.block());
  const tags = r.block();
  const lens = new BitColumnReader(r);
  const ids = r.block();
  const ols = r.block();
  const ors = r.block();
  const agents = blocks.length;
  const m = new Model(agents);
  const stack = m.stack;
  const segs: Seg[] = [];
  const agentRef = (a: number): number => (a < agents ? a : fail('agent index out of range'));
  const inRange = (a: number, d: number): number =>
    d >= 0 && d < blocks[a]!.total ? d : fail('element reference out of range');
  let pendingNext: Seg | null = null;
  for (let i = 0; i < n; i++) {
    const agent = agentRef(agentCol.next());
    const tag = tags.bytes(1)[0]!;
    const lenClass = tag >> 6;
    const len = lenClass === 0 ? lens.next() + 4 : lenClass;
    const lo = (tag >> 1) & 3;
    let olA = NONE;
    let olD = 0;
    if (lo === LO_PREV || lo === LO_STACK) {
      const k = lo === LO_PREV ? 0 : ols.uint() + 1;
      if (k >= stack.length || k >= MAX_DEPTH) fail('left origin beyond the segment stack');
      const e = stack[stack.length - 1 - k]!;
      olA = e.agent;
      olD = e.dense + e.len - 1;
      stack.length -= k;
    } else if (lo === LO_EXPLICIT) {
      olA = agentRef(ols.uint());
      olD = inRange(olA, m.lastEnd[olA]! + ols.int());
    }
    let dense: number;
    if ((tag & 32) === 0) {
      if (olA !== agent) fail('implicit id without a left origin of the same agent');
      dense = olD + 1;
    } else dense = m.lastEnd[agent]! + ids.int();
    if (dense < 0 || dense + len > blocks[agent]!.total) fail('segment ids out of range');
    const s: Seg = { agent, dense, len, deleted: (tag & 1) === 1, olA, olD, orA: NONE, orD: 0 };
    if (pendingNext !== null) {
      pendingNext.orA = agent;
      pendingNext.orD = dense;
      pendingNext = null;
    }
    const ro = (tag >> 3) & 3;
    if (ro === RO_AS_LEFT) {
      const left = m.leftSeg(s);
      if (left === undefined) fail('right origin refers to a missing left segment');
      s.orA = left.orA;
      s.orD = left.orD;
    } else if (ro === RO_NEXT) pendingNext = s;
    else if (ro === RO_AFTER_LEFT) {
      if (olA === NONE) fail('right origin after a missing left origin');
      s.orA = olA;
      s.orD = inRange(olA, olD + 1);
    } else {
      const a = ors.uint();
      if (a !== agents) {
        s.orA = agentRef(a);
        s.orD = inRange(a, (a === agent ? dense : m.lastEnd[a]!) + ors.int());
      }
    }
    m.done(s);
    segs.push(s);
  }
  if (pendingNext !== null) fail('last segment cannot point to a next one');
  if (!agentCol.done || !tags.done || !lens.done || !ids.done || !ols.done || !ors.done) fail('trailing column data');
  return segs;
}
