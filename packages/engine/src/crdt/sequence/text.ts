/**
 * `text`: a sequence of Unicode code points (see sequence-core.ts for the algorithm).
 *
 * Indexes count code points, not UTF-16 units, so that no edit can split a surrogate pair and
 * every op's string is valid UTF-8 for the canonical encoding. For BMP-only text they coincide.
 */
import { WeftError } from '../../errors.ts';
import { type Anchor, makeAnchor, resolveAnchor } from './anchor.ts';
import { DELETE, type DeleteOp, INSERT, type InsertOp, type Ref, RefTable, isAgent, isCount, parseOp } from './op.ts';
import { NONE, TEXT_CONTENT, codePoints } from './run.ts';
import { SequenceCore } from './sequence-core.ts';
import { decodeTextState, encodeTextState } from './text-codec.ts';

function arg(msg: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `text: ${msg}`);
}

/** Resolves a payload reference to a core agent index and checks the element exists. */
export function knownRef<C>(core: SequenceCore<C>, ref: Ref | null): number {
  if (ref === null) return NONE;
  const a = core.knownAgent(ref.agent);
  if (a === NONE || core.find(a, ref.counter) === undefined)
    throw new WeftError('E_VALIDATION', 'sequence: op references an unknown element', { ...ref });
  return a;
}

/** Builds the `d` list of a delete op from core triples. */
export function deletePayload<C>(core: SequenceCore<C>, agent: string, triples: number[]): DeleteOp {
  const refs = new RefTable(agent);
  for (let i = 0; i < triples.length; i += 3) triples[i] = refs.ref(core.agents[triples[i]!]!);
  return [DELETE, triples, ...refs.names];
}

/** A collaborative text. */
export class Text {
  /** The CRDT state; exposed for the codec and tests, not for apps. */
  readonly core: SequenceCore<string>;

  constructor(core: SequenceCore<string> = new SequenceCore(TEXT_CONTENT)) {
    this.core = core;
  }

  /** Length in code points. */
  get length(): number {
    return this.core.length;
  }

  /**
   * Inserts `text` at code point `index`, as elements `(agent, counterStart + k)`, and returns the
   * op to send. `counterStart` comes from the change that will carry the op (see EditFolder).
   */
  insert(index: number, text: string, agent: string, counterStart: number): InsertOp {
    const core = this.core;
    if (!Number.isSafeInteger(index) || index < 0 || index > core.length) arg(`index ${index} out of range`);
    if (!isAgent(agent)) arg('bad agent');
    if (!isCount(counterStart)) arg('counterStart is not a safe integer >= 0');
    const n = codePoints(text);
    if (n < 1) arg('inserted text is empty or holds a lone surrogate');
    const a = core.agent(agent);
    core.checkFresh(a, counterStart, n);
    core.insertLocal(index, text, n, a, counterStart, false);
    const refs = new RefTable(agent);
    const l = refs.id(core.lA === NONE ? null : core.agents[core.lA]!, core.lC);
    const r = refs.id(core.rA === NONE ? null : core.agents[core.rA]!, core.rC);
    return [INSERT, l, r, text, ...refs.names];
  }

  /** Deletes `length` code points from `index` and returns the op to send (authored by `agent`). */
  delete(index: number, length: number, agent: string): DeleteOp {
    const core = this.core;
    if (!isAgent(agent)) arg('bad agent');
    if (!isCount(index) || !isCount(length) || length < 1 || index + length > core.length)
      arg(`range ${index}+${length} out of range`);
    const triples: number[] = [];
    core.deleteLocal(index, length, triples);
    return deletePayload(core, agent, triples);
  }

  /**
   * Applies a remote op authored by `agent`; inserted elements get ids `(agent, counterStart + k)`.
   * Throws `E_DECODE` for a malformed payload and `E_VALIDATION` for unknown ids or reused
   * counters, in both cases before changing anything.
   */
  apply(op: unknown, agent: string, counterStart: number): void {
    if (!isAgent(agent)) arg('bad agent');
    const p = parseOp(op, agent);
    const core = this.core;
    if (p.k === 'i') {
      if (typeof p.v !== 'string') throw new WeftError('E_DECODE', 'text: insert carries a list');
      if (!isCount(counterStart)) arg('counterStart is not a safe integer >= 0');
      const lA = knownRef(core, p.l);
      const rA = knownRef(core, p.r);
      const n = codePoints(p.v);
      const a = core.agent(agent);
      core.insertRemote(lA, p.l?.counter ?? 0, rA, p.r?.counter ?? 0, p.v, n, a, counterStart, false);
    } else if (p.k === 'd') {
      const agents = p.d.map((r, i) => {
        const a = core.knownAgent(r.agent);
        if (a === NONE || !core.hasRange(a, r.counter, p.lens[i]!))
          throw new WeftError('E_VALIDATION', 'text: delete references an unknown element', { ...r });
        return a;
      });
      for (let i = 0; i < agents.length; i++) core.deleteRange(agents[i]!, p.d[i]!.counter, p.lens[i]!);
    } else throw new WeftError('E_DECODE', 'text: ops of kind m apply to lists only');
  }

  /** The visible text: what the engine hashes for `stateHash`. */
  toString(): string {
    return this.slice(0, this.core.length);
  }

  /** Code points `start..end` (clamped). */
  slice(start = 0, end = this.core.length): string {
    const len = this.core.length;
    const s = Math.max(0, Math.min(start, len));
    const e = Math.max(s, Math.min(end, len));
    const parts: string[] = [];
    this.core.collect(s, e - s, (c, from, to, n) => {
      parts.push(from === 0 && to === n ? c : TEXT_CONTENT.slice(c, from, to, n));
    });
    return parts.join('');
  }

  /** The code point at `index`, or undefined. */
  get(index: number): string | undefined {
    return Number.isSafeInteger(index) && index >= 0 && index < this.core.length
      ? this.slice(index, index + 1)
      : undefined;
  }

  /** A stable position at `index` (see {@link Anchor}). */
  anchor(index: number, assoc: 'before' | 'after'): Anchor {
    return makeAnchor(this.core, index, assoc);
  }

  /** The current index of `anchor`. */
  resolve(anchor: Anchor): number {
    return resolveAnchor(this.core, anchor);
  }

  /** Compact binary snapshot of the full state, tombstones included (see text-codec.ts). */
  encodeState(): Uint8Array {
    return encodeTextState(this.core);
  }

  /** Loads a snapshot made by {@link encodeState}; throws `E_DECODE` on anything malformed. */
  static decodeState(bytes: Uint8Array): Text {
    return new Text(decodeTextState(bytes));
  }
}
