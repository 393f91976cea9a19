/**
 * The element records of a list: one per inserted element, shared by every slot (sequence
 * element) that ever held it, carrying the move register (see list.ts).
 */
import { type ContentOps, arrayContent, codePoints } from './run.ts';
import type { SequenceCore } from './sequence-core.ts';

/** One list element. Ids are core ids: agent index and dense counter. */
export interface Cell<T> {
  /** Element id: the id of the slot it was inserted in. */
  readonly a: number;
  readonly d: number;
  readonly value: T;
  deleted: boolean;
  /** Move register: the winning slot and its clock (0: never moved). */
  slotA: number;
  slotD: number;
  clock: number;
}

/** A fresh element living in its own insert slot. */
export function newCell<T>(a: number, d: number, value: T): Cell<T> {
  return { a, d, value, deleted: false, slotA: a, slotD: d, clock: 0 };
}

/** Content ops for list runs: arrays of cells, kept after deletion (moves and deletes refer to them). */
export function LIST_CONTENT<T>(): ContentOps<Cell<T>[]> {
  return arrayContent<Cell<T>>();
}

/** The element whose id is `(a, d)`, or undefined when that slot is missing or holds a moved element. */
export function elementAt<T>(core: SequenceCore<Cell<T>[]>, a: number, d: number): Cell<T> | undefined {
  const run = core.find(a, d);
  const cell = run?.content[d - run.counter];
  return cell !== undefined && cell.a === a && cell.d === d ? cell : undefined;
}

/**
 * True when a move `(clock, agent a, slot d)` beats the element's register. Dense counters of
 * one agent are ordered like its real counters, so every replica decides alike.
 */
export function wins<T>(core: SequenceCore<Cell<T>[]>, clock: number, a: number, d: number, cell: Cell<T>): boolean {
  if (clock !== cell.clock) return clock > cell.clock;
  const x = core.agents[a]!;
  const y = core.agents[cell.slotA]!;
  return x !== y ? x > y : d > cell.slotD;
}

/** True when every item is a canonical value: finite numbers, well-formed strings, plain objects, bounded depth. */
export function checkValues(items: readonly unknown[]): boolean {
  return items.every((v) => isCanonical(v, 0));
}

function isCanonical(v: unknown, depth: number): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'boolean' || v instanceof Uint8Array) return true;
  // A lone surrogate would not survive UTF-8, so the remote value would differ from the local one.
  if (typeof v === 'string') return codePoints(v) >= 0;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isCanonical(x, depth + 1));
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v as Record<string, unknown>).every((x) => isCanonical(x, depth + 1));
}
