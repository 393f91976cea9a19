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
import { type Cell, checkValues, LIST_CONTENT, cellAt, wins } from './list-cell.ts';
import { decodeListState, encodeListState } from './list-codec.ts';
import {
  DELETE,
  type DeleteOp,
  INSERT,
  type InsertOp,
  MOVE,
  type MoveOp,
  RefTable,
  isAgent,
  isCount,
  parseOp,
} from './op.ts';
import { NONE } from './run.ts';
import { SequenceCore } from './sequence-core.ts';
import { knownRef } from './text.ts';

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
    const cells = items.map((value, k): Cell<T> => newCell(agent, counterStart + k, value, a));
    core.insertLocal(index, cells, cells.length, a, counterStart, false);
    const refs = new RefTable(agent);
    return [
      INSERT,
      this.originRef(refs, core.lA, core.lC),
      this.originRef(refs, core.rA, core.rC),
      [...items],
      ...refs.names,
    ];
  }

  /** Deletes `length` elements from `index`; returns the op to send (authored by `agent`). */
  delete(index: number, length: number, agent: string): DeleteOp {
    const core = this.core;
    if (!isAgent(agent)) arg('bad agent');
    if (!isCount(index) || !isCount(length) || length < 1 || index + length > core.length)
      arg(`range ${index}+${length} out of range`);
    const cells = this.cells(index, length);
    core.deleteLocal(index, length, []);
    const refs = new RefTable(agent);
    const d: number[] = [];
    for (const c of cells) {
      c.deleted = true;
      const ref = refs.ref(c.agent);
      const last = d.length - 3;
      if (last >= 0 && d[last] === ref && d[last + 1]! + d[last + 2]! === c.counter) d[last + 2]!++;
      else d.push(ref, c.counter, 1);
    }
    return [DELETE, d, ...refs.names];
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
    core.insertLocal(to, [cell], 1, a, counterStart, false);
    const clock = ++this.clock;
    cell.slotA = a;
    cell.slotC = counterStart;
    cell.clock = clock;
    const refs = new RefTable(agent);
    const e: [number, number] = [refs.ref(cell.agent), cell.counter];
    const l = this.originRef(refs, core.lA, core.lC);
    const r = this.originRef(refs, core.rA, core.rC);
    return [MOVE, e, l, r, clock, ...refs.names];
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
      const cells = p.d.flatMap((r, i) => {
        const a = core.knownAgent(r.agent);
        const out: Cell<T>[] = [];
        for (let c = r.counter; c < r.counter + p.lens[i]!; c++) out.push(this.element(a, r.agent, c));
        return out;
      });
      for (const c of cells) {
        if (c.deleted) continue;
        c.deleted = true;
        core.deleteRange(c.slotA, c.slotC, 1);
      }
      return;
    }
    if (!isCount(counterStart)) arg('counterStart is not a safe integer >= 0');
    const lA = knownRef(core, p.l);
    const rA = knownRef(core, p.r);
    const lC = p.l?.counter ?? 0;
    const rC = p.r?.counter ?? 0;
    if (p.k === 'i') {
      if (typeof p.v === 'string') throw new WeftError('E_DECODE', 'list: insert carries text');
      if (!checkValues(p.v)) throw new WeftError('E_DECODE', 'list: items are not canonical values');
      const a = core.agent(agent);
      const cells = (p.v as readonly T[]).map((value, k) => newCell(agent, counterStart + k, value, a));
      core.insertRemote(lA, lC, rA, rC, cells, cells.length, a, counterStart, false);
      return;
    }
    const cell = this.element(core.knownAgent(p.e.agent), p.e.agent, p.e.counter);
    const a = core.agent(agent);
    const newer = wins(core, p.c, a, counterStart, cell);
    // Insert first: it validates the origins before anything changes.
    core.insertRemote(lA, lC, rA, rC, [cell], 1, a, counterStart, cell.deleted || !newer);
    if (p.c > this.clock) this.clock = p.c;
    if (!newer) return;
    if (!cell.deleted) core.deleteRange(cell.slotA, cell.slotC, 1);
    cell.slotA = a;
    cell.slotC = counterStart;
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

  private originRef(refs: RefTable, a: number, c: number): [number, number] | null {
    return a === NONE ? null : [refs.ref(this.core.agents[a]!), c];
  }

  private cells(index: number, length: number): Cell<T>[] {
    const out: Cell<T>[] = [];
    this.core.collect(index, length, (c, from, to) => {
      for (let i = from; i < to; i++) out.push(c[i]!);
    });
    return out;
  }

  /** The element whose id is `(name, counter)`; throws unless that id is an element (insert slot). */
  private element(a: number, name: string, counter: number): Cell<T> {
    const cell = a === NONE ? undefined : cellAt(this.core, a, counter);
    if (cell === undefined || cell.agent !== name || cell.counter !== counter)
      invalid(`no element (${name.slice(0, 8)}, ${counter})`);
    return cell;
  }
}

function newCell<T>(agent: string, counter: number, value: T, a: number): Cell<T> {
  return { agent, counter, value, deleted: false, slotA: a, slotC: counter, clock: 0 };
}
