/**
 * `list<T>`: the sequence CRDT over values, plus move.
 *
 * Move follows Kleppmann, "Moving elements in list CRDTs" (PaPoC 2020): the sequence holds
 * slots, and every element has a last-writer-wins register naming the one slot where it is
 * visible. An insert creates an element and its first slot (the element id is that slot's id);
 * a move inserts a new slot for the element and writes the register with `(clock, agent, slot
 * counter)`, where `clock` is a Lamport clock (greater than every move clock the author had seen,
 * so a move always beats the moves it saw). Every slot but the register's winner is a tombstone,
 * so concurrent moves of one element never duplicate it: all replicas keep the same winner.
 * Delete removes the element (all its slots) and wins over concurrent moves.
 *
 * Anchors name slots: an anchor on a moved element stays where the element was.
 */
import type { CanonicalValue } from '../../encoding/canonical.ts';
import { WeftError } from '../../errors.ts';
import { type Anchor, makeAnchor, resolveAnchor } from './anchor.ts';
import { type Cell, LIST_CONTENT, checkValues, elementAt, newCell, wins } from './list-cell.ts';
import { decodeListState, encodeListState } from './list-codec.ts';
import { type DeleteOp, INSERT, type InsertOp, MOVE, type MoveOp, RefTable, isAgent, isCount, parseOp } from './op.ts';
import { SequenceCore } from './sequence-core.ts';
import { deletePayload, deleteTargets, knownRef, payloadId } from './payload-ids.ts';

function arg(msg: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `list: ${msg}`);
}

function invalid(msg: string): never {
  throw new WeftError('E_VALIDATION', `list: ${msg}`);
}

/** A collaborative list of canonical values. Values are stored as given: treat them as immutable. */
export class List<T extends CanonicalValue = CanonicalValue> {
  /** The CRDT state; exposed for the codec and tests, not for apps. */
  readonly core: SequenceCore<Cell<T>[]>;
  /** Highest move clock seen. */
  clock: number;

  /** An empty list (or one around a loaded core and move clock). */
  constructor(core: SequenceCore<Cell<T>[]> = new SequenceCore(LIST_CONTENT<T>()), clock = 0) {
    this.core = core;
    this.clock = clock;
  }

  /** Number of visible elements. */
  get length(): number {
    return this.core.length;
  }

  /** Inserts `items` at `index` as elements `(agent, counterStart + k)`; returns the op to send. */
  insert(index: number, items: readonly T[], agent: string, counterStart: number): InsertOp {
    const core = this.core;
    if (!Number.isSafeInteger(index) || index < 0 || index > core.length) arg(`index ${index} out of range`);
    this.checkAuthor(agent, counterStart);
    if (!Array.isArray(items) || items.length === 0) arg('nothing to insert');
    if (!checkValues(items)) arg('items must be canonical values');
    const a = core.agent(agent);
    core.checkFresh(a, counterStart, items.length);
    const d = core.register(a, counterStart, items.length);
    const cells = items.map((value, k) => newCell(a, d + k, value));
    core.insertLocal(index, cells, cells.length, a, d, false);
    const refs = new RefTable(agent);
    const l = payloadId(core, refs, core.lA, core.lC);
    const r = payloadId(core, refs, core.rA, core.rC);
    return [INSERT, l, r, [...items], ...refs.names];
  }

  /** Deletes `length` elements from `index`; returns the op to send (authored by `agent`). */
  delete(index: number, length: number, agent: string): DeleteOp {
    const core = this.core;
    if (!isAgent(agent)) arg('bad agent');
    if (!isCount(index) || !isCount(length) || length < 1 || index + length > core.length)
      arg(`range ${index}+${length} out of range`);
    const cells = this.cells(index, length);
    core.deleteLocal(index, length, []);
    // The op names elements, not the slots they currently sit in (moves make them differ).
    const triples: number[] = [];
    for (const c of cells) {
      c.deleted = true;
      const last = triples.length - 3;
      if (last >= 0 && triples[last] === c.a && triples[last + 1]! + triples[last + 2]! === c.d) triples[last + 2]!++;
      else triples.push(c.a, c.d, 1);
    }
    return deletePayload(core, agent, triples);
  }

  /**
   * Moves the element at `from` so that it ends up at index `to` (0..length-1). The new slot gets
   * id `(agent, counterStart)`: a move consumes one counter, like a one-element insert.
   */
  move(from: number, to: number, agent: string, counterStart: number): MoveOp {
    const core = this.core;
    const len = core.length;
    if (!isCount(from) || from >= len || !isCount(to) || to >= len) arg(`move ${from} -> ${to} out of range`);
    this.checkAuthor(agent, counterStart);
    const a = core.agent(agent);
    core.checkFresh(a, counterStart, 1);
    const cell = this.cells(from, 1)[0]!;
    core.deleteLocal(from, 1, []);
    const d = core.register(a, counterStart, 1);
    core.insertLocal(to, [cell], 1, a, d, false);
    const refs = new RefTable(agent);
    const l = payloadId(core, refs, core.lA, core.lC);
    const r = payloadId(core, refs, core.rA, core.rC);
    const e = payloadId(core, refs, cell.a, cell.d)!;
    cell.slotA = a;
    cell.slotD = d;
    cell.clock = ++this.clock;
    return [MOVE, e, l, r, cell.clock, ...refs.names];
  }

  /**
   * Applies a remote op authored by `agent` (its new slots get ids `(agent, counterStart + k)`).
   * Throws `E_DECODE` for malformed payloads and `E_VALIDATION` for unknown ids, before
   * changing anything.
   */
  apply(op: unknown, agent: string, counterStart: number): void {
    if (!isAgent(agent)) arg('bad agent');
    const p = parseOp(op, agent);
    const core = this.core;
    if (p.k === 'd') {
      const t = deleteTargets(core, p.d, p.lens);
      const cells: Cell<T>[] = [];
      for (let i = 0; i < t.length; i += 3)
        for (let d = t[i + 1]!; d < t[i + 1]! + t[i + 2]!; d++) cells.push(this.element(t[i]!, d));
      for (const c of cells) {
        if (c.deleted) continue;
        c.deleted = true;
        core.deleteRange(c.slotA, c.slotD, 1);
      }
      return;
    }
    if (!isCount(counterStart)) arg('counterStart is not a safe integer >= 0');
    const l = knownRef(core, p.l);
    const r = knownRef(core, p.r);
    if (p.k === 'i') {
      if (typeof p.v === 'string') throw new WeftError('E_DECODE', 'list: insert carries text');
      if (!checkValues(p.v)) throw new WeftError('E_DECODE', 'list: items are not canonical values');
      const a = core.agent(agent);
      core.checkFresh(a, counterStart, p.v.length);
      const d = core.nextDense(a);
      const cells = (p.v as readonly T[]).map((value, k) => newCell(a, d + k, value));
      core.insertRemote(l.agent, l.dense, r.agent, r.dense, cells, cells.length, a, d, false);
      core.register(a, counterStart, cells.length);
      return;
    }
    const e = knownRef(core, p.e);
    const cell = this.element(e.agent, e.dense);
    const a = core.agent(agent);
    core.checkFresh(a, counterStart, 1);
    const d = core.nextDense(a);
    const newer = wins(core, p.c, a, d, cell);
    // Insert first: it validates the origins before anything changes.
    core.insertRemote(l.agent, l.dense, r.agent, r.dense, [cell], 1, a, d, cell.deleted || !newer);
    core.register(a, counterStart, 1);
    if (p.c > this.clock) this.clock = p.c;
    if (!newer) return;
    if (!cell.deleted) core.deleteRange(cell.slotA, cell.slotD, 1);
    cell.slotA = a;
    cell.slotD = d;
    cell.clock = p.c;
  }

  /** The visible values: what the engine hashes for `stateHash`. */
  toArray(): T[] {
    return this.slice(0, this.core.length);
  }

  /** Values `start..end` (clamped). */
  slice(start = 0, end = this.core.length): T[] {
    const len = this.core.length;
    const s = Math.max(0, Math.min(start, len));
    return this.cells(s, Math.max(s, Math.min(end, len)) - s).map((c) => c.value);
  }

  /** The value at `index`, or undefined. */
  get(index: number): T | undefined {
    return isCount(index) && index < this.core.length ? this.cells(index, 1)[0]!.value : undefined;
  }

  /** A stable position at `index` (see {@link Anchor}). */
  anchor(index: number, assoc: 'before' | 'after'): Anchor {
    return makeAnchor(this.core, index, assoc);
  }

  /** The current index of `anchor`. */
  resolve(anchor: Anchor): number {
    return resolveAnchor(this.core, anchor);
  }

  /** Snapshot of the full state (see list-codec.ts). */
  encodeState(): Uint8Array {
    return encodeListState(this);
  }

  /** Loads a snapshot made by {@link encodeState}; throws `E_DECODE` on anything malformed. */
  static decodeState<T extends CanonicalValue = CanonicalValue>(bytes: Uint8Array): List<T> {
    const { core, clock } = decodeListState<T>(bytes);
    return new List<T>(core, clock);
  }

  private checkAuthor(agent: string, counterStart: number): void {
    if (!isAgent(agent)) arg('bad agent');
    if (!isCount(counterStart)) arg('counterStart is not a safe integer >= 0');
  }

  private cells(index: number, length: number): Cell<T>[] {
    const out: Cell<T>[] = [];
    this.core.collect(index, length, (c, from, to) => {
      for (let i = from; i < to; i++) out.push(c[i]!);
    });
    return out;
  }

  /** The element with core id `(a, d)`; throws unless that id is an element (an insert slot). */
  private element(a: number, d: number): Cell<T> {
    const cell = elementAt(this.core, a, d);
    if (cell === undefined) invalid('the id names a move slot, not an element');
    return cell;
  }
}
