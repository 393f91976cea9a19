/**
 * The causal past of a change, inclusive: the set every "as of" view is computed from.
 *
 * Invariants:
 *  1. A stored change's past never changes (its deps are signed), so pasts are cached by hash
 *     for as long as the log lives; a few are kept, since a history view moves between a couple
 *     of points at a time.
 */
import { WeftError } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { ChangeLog } from '../log/change-log.ts';

const KEEP = 4;
const cache = new WeakMap<ChangeLog, Map<ChangeHash, ReadonlySet<ChangeHash>>>();

/** Hashes of `at` and every change in its causal past; `E_NOT_FOUND` when `at` is not stored. */
export function causalPast(log: ChangeLog, at: ChangeHash): ReadonlySet<ChangeHash> {
  if (!log.has(at)) throw new WeftError('E_NOT_FOUND', `change ${at.slice(0, 12)}… is not stored here`);
  let byHash = cache.get(log);
  if (byHash === undefined) cache.set(log, (byHash = new Map()));
  const hit = byHash.get(at);
  if (hit !== undefined) {
    // Refresh its place in the insertion-ordered map (least recently used goes first).
    byHash.delete(at);
    byHash.set(at, hit);
    return hit;
  }
  const past = new Set<ChangeHash>([at]);
  const stack: ChangeHash[] = [at];
  while (stack.length > 0) {
    const e = log.get(stack.pop()!);
    if (e === undefined) continue;
    for (const d of e.sc.change.deps)
      if (!past.has(d)) {
        past.add(d);
        stack.push(d);
      }
  }
  byHash.set(at, past);
  if (byHash.size > KEEP) byHash.delete(byHash.keys().next().value!);
  return past;
}
