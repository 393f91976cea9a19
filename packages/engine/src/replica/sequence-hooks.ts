/**
 * The engine's text and list fields: {@link SequenceHooks} backed by the sequence CRDT, and the
 * check that keeps sequence ops deterministic across replicas.
 *
 * Invariants:
 *  1. A sequence op may only reference elements inserted by a change in its own causal past, or
 *     earlier in its own change. Element ids are (author, seq·2^20 + k), so the change an id
 *     comes from is known without looking the element up; the check is a causal-past query, and
 *     it gives the same answer on every replica.
 *  2. A reference to an element of a change that is in the past but *rejected* (its elements do
 *     not exist) makes that op a no-op on every replica alike: apply failures of that kind are
 *     swallowed, deterministically, by the materializer's caller.
 */
import { WeftError } from '../errors.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';
import type { SequenceHooks } from '../crdt/doc-state.ts';
import type { SignedChange } from '../change/change.ts';
import type { ChangeLog } from '../log/change-log.ts';
import { Text } from '../crdt/sequence/text.ts';
import { List } from '../crdt/sequence/list.ts';
import { insertCount, parseOp, type SeqOp } from '../crdt/sequence/op.ts';
import { SEQ_ID_SPACE } from './materializer.ts';

type Seq = Text | List;

/** Sequence hooks for `text` (Text) and `list<T>` (List) fields. */
export const sequenceHooks: SequenceHooks = {
  create: (kind) => (kind === 'text' ? new Text() : new List()),
  kindOf: (payload) => {
    const p = payload as readonly unknown[];
    return Array.isArray(p) && p[0] === 0 && typeof p[3] === 'string' ? 'text' : 'list';
  },
  apply: (state, payload, agent, counterStart) => (state as Seq).apply(payload, agent, counterStart),
  insertCount: (payload) => insertCount(payload as unknown as SeqOp),
  value: (state) =>
    state instanceof Text ? state.toString() : ((state as List).toArray() as unknown as CanonicalValue),
  // One leading byte says which CRDT the snapshot holds: 0 text, 1 list.
  encode: (state) => {
    const body = (state as Seq).encodeState();
    const out = new Uint8Array(body.length + 1);
    out[0] = state instanceof Text ? 0 : 1;
    out.set(body, 1);
    return out;
  },
  decode: (bytes) => (bytes[0] === 0 ? Text.decodeState(bytes.subarray(1)) : List.decodeState(bytes.subarray(1))),
};

/** Invariant 1: throws `E_CAUSALITY` when a sequence op references an element outside its past. */
export function checkSequenceRefs(sc: SignedChange, log: ChangeLog): void {
  const { author, seq, deps } = sc.change;
  let counter = seq * SEQ_ID_SPACE;
  for (const op of sc.change.ops) {
    if (op.k !== 'seq') continue;
    const p = parseOp(op.x, author);
    const refs = p.k === 'i' ? [p.l, p.r] : p.k === 'm' ? [p.e, p.l, p.r] : p.d;
    const lens = p.k === 'd' ? p.lens : [];
    refs.forEach((r, i) => {
      if (r === null) return;
      const last = r.counter + (lens[i] ?? 1) - 1;
      for (let s = Math.floor(r.counter / SEQ_ID_SPACE); s <= Math.floor(last / SEQ_ID_SPACE); s++) {
        if (r.agent === author && s === seq) {
          if (last >= counter) throw new WeftError('E_CAUSALITY', 'sequence op references a later element');
          continue;
        }
        const h = log.hashAt(r.agent as AuthorId, s) as ChangeHash | undefined;
        if (h === undefined || !(deps.includes(h) || log.isAncestorOfDeps(h, deps)))
          throw new WeftError('E_CAUSALITY', 'sequence op references an element outside its causal past');
      }
    });
    counter += insertCount(op.x as unknown as SeqOp);
  }
}
