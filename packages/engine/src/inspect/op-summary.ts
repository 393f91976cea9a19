/**
 * Ops decoded for display: collection, document, field path and value, in one flat shape
 * whatever the op kind.
 */
import type { Op } from '../change/op.ts';
import type { SequenceHooks } from '../crdt/doc-state.ts';
import type { OpSummary } from './inspect-protocol.ts';

/** Summarizes op `i`; `seqHooks` counts a sequence edit's inserts when given. */
export function summarizeOp(op: Op, i: number, seqHooks?: SequenceHooks): OpSummary {
  switch (op.k) {
    case 'genesis':
      return { i, kind: 'genesis', value: op.name };
    case 'del':
      return { i, kind: 'del', collection: op.c, id: op.d };
    case 'inc':
      return { i, kind: 'inc', collection: op.c, id: op.d, field: op.p.join('.'), value: op.n };
    case 'seq': {
      const base = { i, kind: 'seq', collection: op.c, id: op.d, field: op.p.join('.') } as const;
      if (seqHooks === undefined) return base;
      try {
        return { ...base, inserted: seqHooks.insertCount(op.x) };
      } catch {
        // A malformed payload is the change's problem; its summary still shows where it went.
        return base;
      }
    }
    default:
      return { i, kind: op.k, collection: op.c, id: op.d, field: op.p.join('.'), value: op.v };
  }
}

/** Summaries of every op of a change. */
export function summarizeOps(ops: readonly Op[], seqHooks?: SequenceHooks): OpSummary[] {
  return ops.map((op, i) => summarizeOp(op, i, seqHooks));
}
