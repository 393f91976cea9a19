/**
 * Translation between payload ids (agent name, real counter) and core ids (agent index, dense
 * counter), shared by text and list. Every lookup validates: an unknown id is `E_VALIDATION`.
 */
import { WeftError } from '../../errors.ts';
import { DELETE, type DeleteOp, type IdRef, type Ref, RefTable } from './op.ts';
import { NONE } from './run.ts';
import type { SequenceCore } from './sequence-core.ts';

/** A payload reference resolved to a core agent index and dense counter (`agent` NONE for null). */
export interface CoreRef {
  agent: number;
  dense: number;
}

/** Resolves a payload reference; throws `E_VALIDATION` unless the element exists. */
export function knownRef<C>(core: SequenceCore<C>, ref: Ref | null): CoreRef {
  if (ref === null) return { agent: NONE, dense: 0 };
  const agent = core.knownAgent(ref.agent);
  const dense = core.denseOf(agent, ref.counter);
  if (dense < 0) throw new WeftError('E_VALIDATION', 'sequence: op references an unknown element', { ...ref });
  return { agent, dense };
}

/** A payload id for a core element. */
export function payloadId<C>(core: SequenceCore<C>, refs: RefTable, agent: number, dense: number): IdRef | null {
  return agent === NONE ? null : [refs.ref(core.agents[agent]!), core.realOf(agent, dense)];
}

/** Builds a delete op from core triples `[agent, dense, len]*`, in real counters. */
export function deletePayload<C>(core: SequenceCore<C>, agent: string, triples: readonly number[]): DeleteOp {
  const refs = new RefTable(agent);
  const d: number[] = [];
  for (let i = 0; i < triples.length; i += 3) {
    const a = triples[i]!;
    const ref = refs.ref(core.agents[a]!);
    core.blocks[a]!.realRanges(triples[i + 1]!, triples[i + 2]!, (real, n) => d.push(ref, real, n));
  }
  return [DELETE, d, ...refs.names];
}

/** Resolves the id ranges of a parsed delete to dense `[agent, dense, len]*`; throws on unknown ids. */
export function deleteTargets<C>(core: SequenceCore<C>, refs: readonly Ref[], lens: readonly number[]): number[] {
  const out: number[] = [];
  refs.forEach((r, i) => {
    const { agent, dense } = knownRef(core, r);
    const len = lens[i]!;
    // Real counters are contiguous only inside one block: the last id must follow densely.
    if (core.denseOf(agent, r.counter + len - 1) !== dense + len - 1)
      throw new WeftError('E_VALIDATION', 'sequence: delete references unknown elements', { ...r, len });
    out.push(agent, dense, len);
  });
  return out;
}
