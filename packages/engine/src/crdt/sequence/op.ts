/**
 * Op payloads: plain data the engine signs with its canonical encoding, and their strict parser.
 *
 * Element ids in payloads are `[ref, counter]` where `ref` 0 is the op's own author (the agent
 * the engine passes to `apply`) and `ref` i >= 1 is the i-th agent name at the tuple's tail. Most ops
 * reference only their author's own elements, so a 64-character author id appears only when an
 * op touches someone else's text, once per op. Inserted elements never carry ids: the engine
 * derives them from the change, `(author, counterStart + k)`.
 */
import type { CanonicalValue } from '../../encoding/canonical.ts';
import { WeftError } from '../../errors.ts';
import { codePoints } from './run.ts';

/** An element id inside a payload: `[agentRef, counter]`. */
export type IdRef = readonly [ref: number, counter: number];

/** Op kinds, the first entry of every payload tuple. */
export const INSERT = 0;
/** See {@link INSERT}. */
export const DELETE = 1;
/** See {@link INSERT}. */
export const MOVE = 2;

/**
 * `[0, left, right, content, ...agents]`: insert between two existing elements (`null`: the
 * document start / end). Text content is a string whose code points are the elements; list
 * content is an array of values.
 */
export type InsertOp = readonly [
  kind: typeof INSERT,
  left: IdRef | null,
  right: IdRef | null,
  content: string | readonly CanonicalValue[],
  ...agents: string[],
];

/** `[1, ids, ...agents]`: delete; `ids` is a flat list of `[agentRef, counter, length]` triples. */
export type DeleteOp = readonly [kind: typeof DELETE, ids: readonly number[], ...agents: string[]];

/**
 * `[2, element, left, right, clock, ...agents]`, lists only: move `element` to a new slot between
 * `left` and `right`; concurrent moves of one element resolve last-writer-wins by `(clock, agent,
 * slot counter)`, and `clock` is greater than every move clock its author had seen.
 */
export type MoveOp = readonly [
  kind: typeof MOVE,
  element: IdRef,
  left: IdRef | null,
  right: IdRef | null,
  clock: number,
  ...agents: string[],
];

/** Every sequence op payload. Tuples, not maps: smaller signed changes and cheaper decoding. */
export type SeqOp = InsertOp | DeleteOp | MoveOp;

/** A resolved element id. */
export interface Ref {
  readonly agent: string;
  readonly counter: number;
}

/** A parsed op with agent references resolved to agent names. */
export type ParsedOp =
  | { readonly k: 'i'; readonly l: Ref | null; readonly r: Ref | null; readonly v: string | readonly CanonicalValue[] }
  | { readonly k: 'd'; readonly d: readonly Ref[]; readonly lens: readonly number[] }
  | { readonly k: 'm'; readonly e: Ref; readonly l: Ref | null; readonly r: Ref | null; readonly c: number };

/** Longest agent name accepted (a hex ed25519 key is 64). */
export const MAX_AGENT_LENGTH = 128;

function bad(msg: string): never {
  throw new WeftError('E_DECODE', `sequence op: ${msg}`);
}

/** True for a safe integer >= 0. */
export function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** True for a usable agent name. */
export function isAgent(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= MAX_AGENT_LENGTH;
}

function ref(v: unknown, own: string, table: readonly string[]): Ref {
  if (!Array.isArray(v) || v.length !== 2) bad('element id is not [ref, counter]');
  const [i, c] = v as unknown[];
  if (!isCount(i) || i > table.length) bad('agent reference out of range');
  if (!isCount(c)) bad('counter is not a safe integer');
  return { agent: i === 0 ? own : table[i - 1]!, counter: c };
}

function optRef(v: unknown, own: string, table: readonly string[]): Ref | null {
  return v === null ? null : ref(v, own, table);
}

function agentTable(op: readonly unknown[], from: number): string[] {
  const table = op.slice(from);
  if (!table.every(isAgent)) bad('agent table is not a list of agent names');
  return table as string[];
}

/** Validates the shape of `op` and resolves its agent references; throws `E_DECODE` when malformed. */
export function parseOp(op: unknown, own: string): ParsedOp {
  if (!Array.isArray(op)) bad('not a tuple');
  const o = op as readonly unknown[];
  switch (o[0]) {
    case INSERT: {
      if (o.length < 4) bad('short insert');
      const a = agentTable(o, 4);
      const v = o[3];
      if (typeof v === 'string') {
        if (codePoints(v) < 1) bad('inserted text is empty or not well-formed UTF-16');
      } else if (!Array.isArray(v) || v.length === 0) bad('inserted content is neither text nor a non-empty list');
      return { k: 'i', l: optRef(o[1], own, a), r: optRef(o[2], own, a), v: v as string | CanonicalValue[] };
    }
    case DELETE: {
      if (o.length < 2) bad('short delete');
      const a = agentTable(o, 2);
      const d = o[1];
      if (!Array.isArray(d) || d.length === 0 || d.length % 3 !== 0) bad('delete list is not [ref, counter, length]*');
      const refs: Ref[] = [];
      const lens: number[] = [];
      for (let i = 0; i < d.length; i += 3) {
        const len = d[i + 2] as unknown;
        const r = ref([d[i], d[i + 1]], own, a);
        if (!isCount(len) || len < 1 || !Number.isSafeInteger(r.counter + len)) bad('bad delete length');
        refs.push(r);
        lens.push(len);
      }
      return { k: 'd', d: refs, lens };
    }
    case MOVE: {
      if (o.length < 5) bad('short move');
      const a = agentTable(o, 5);
      const c = o[4];
      if (!isCount(c) || c < 1) bad('move clock is not a positive safe integer');
      return { k: 'm', e: ref(o[1], own, a), l: optRef(o[2], own, a), r: optRef(o[3], own, a), c };
    }
    default:
      return bad('unknown op kind');
  }
}

/** How many element ids an op consumes, i.e. how far the engine advances `k` past it in a change. */
export function insertCount(op: SeqOp): number {
  if (op[0] === DELETE) return 0;
  if (op[0] === MOVE) return 1;
  const v = op[3];
  return typeof v === 'string' ? codePoints(v) : v.length;
}

/**
 * Builds agent references for one outgoing op: the op's own author is 0, others get table slots.
 * The table is created lazily because most ops never need it.
 */
export class RefTable {
  readonly names: string[] = [];
  constructor(private readonly own: string) {}

  /** The reference for `agent`. */
  ref(agent: string): number {
    if (agent === this.own) return 0;
    const i = this.names.indexOf(agent);
    if (i >= 0) return i + 1;
    return this.names.push(agent);
  }
}
