/**
 * Stable positions. An anchor names an element, not an index, so it follows its characters as
 * remote edits arrive. `assoc: 'before'` binds to the element just before the position (the
 * cursor stays after it), `'after'` to the element just after it. A deleted element keeps its
 * place as a tombstone, so an anchor on it resolves to the gap where it sits: the same index on
 * every replica that has seen the same ops.
 */
import { WeftError } from '../../errors.ts';
import { isAgent, isCount } from './op.ts';
import type { SequenceCore } from './sequence-core.ts';

/** A stable position: plain data, safe to store or send. `id: null` is the document start or end. */
export interface Anchor {
  readonly id: readonly [agent: string, counter: number] | null;
  readonly assoc: 'before' | 'after';
}

/** Creates an anchor at visible position `index` (0..length). */
export function makeAnchor<C>(core: SequenceCore<C>, index: number, assoc: 'before' | 'after'): Anchor {
  const len = core.length;
  if (!Number.isSafeInteger(index) || index < 0 || index > len)
    throw new WeftError('E_INVALID_ARGUMENT', `anchor index ${index} outside 0..${len}`);
  if (assoc !== 'before' && assoc !== 'after')
    throw new WeftError('E_INVALID_ARGUMENT', 'assoc must be before or after');
  const at = assoc === 'before' ? index - 1 : index;
  if (at < 0 || at >= len) return { id: null, assoc };
  core.idAt(at);
  return { id: [core.agents[core.lA]!, core.realOf(core.lA, core.lC)], assoc };
}

/** The current visible position of `anchor`; throws `E_VALIDATION` for an unknown element. */
export function resolveAnchor<C>(core: SequenceCore<C>, anchor: Anchor): number {
  const a = anchor as unknown as { id?: unknown; assoc?: unknown };
  if (typeof a !== 'object' || a === null || (a.assoc !== 'before' && a.assoc !== 'after'))
    throw new WeftError('E_DECODE', 'not an anchor');
  if (a.id === null) return a.assoc === 'before' ? 0 : core.length;
  const id = a.id as unknown[];
  if (!Array.isArray(id) || id.length !== 2 || !isAgent(id[0]) || !isCount(id[1]))
    throw new WeftError('E_DECODE', 'anchor id is not [agent, counter]');
  const agent = core.knownAgent(id[0]);
  const dense = core.denseOf(agent, id[1]);
  const run = dense < 0 ? undefined : core.find(agent, dense);
  if (run === undefined) throw new WeftError('E_VALIDATION', 'anchor names an unknown element');
  const index = core.indexOf(agent, dense);
  return !run.deleted && a.assoc === 'before' ? index + 1 : index;
}
