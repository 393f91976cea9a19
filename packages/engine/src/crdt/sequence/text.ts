/**
 * `text`: a sequence of Unicode code points (see sequence-core.ts for the algorithm).
 *
 * Indexes count code points, not UTF-16 units, so that no edit can split a surrogate pair and
 * every op's string is valid UTF-8 for the canonical encoding. For BMP-only text they coincide.
 */
import { WeftError } from '../../errors.ts';
import { type Anchor, makeAnchor, resolveAnchor } from './anchor.ts';
import { type DeleteOp, INSERT, type InsertOp, RefTable, isAgent, isCount, parseOp } from './op.ts';
import { deletePayload, deleteTargets, knownRef, payloadId } from './payload-ids.ts';
import { TEXT_CONTENT, codePoints } from './run.ts';
import { SequenceCore } from './sequence-core.ts';
import { decodeTextState, encodeTextState } from './text-codec.ts';

function arg(msg: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `text: ${msg}`);
}

/** A collaborative text. */
export class Text {
  /** The CRDT state; exposed for the codec and tests, not for apps. */
  readonly core: SequenceCore<string>;

  /** An empty text (or one around a loaded core). */
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
    core.insertLocal(index, text, n, a, core.register(a, counterStart, n), false);
    const refs = new RefTable(agent);
    const l = payloadId(core, refs, core.lA, core.lC);
    const r = payloadId(core, refs, core.rA, core.rC);
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
      const l = knownRef(core, p.l);
      const r = knownRef(core, p.r);
      const n = codePoints(p.v);
      const a = core.agent(agent);
      core.checkFresh(a, counterStart, n);
      core.insertRemote(l.agent, l.dense, r.agent, r.dense, p.v, n, a, core.nextDense(a), false);
      core.register(a, counterStart, n);
    } else if (p.k === 'd') {
      const t = deleteTargets(core, p.d, p.lens);
      for (let i = 0; i < t.length; i += 3) core.deleteRange(t[i]!, t[i + 1]!, t[i + 2]!);
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
