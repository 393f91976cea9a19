/**
 * Deletion: tombstoning runs, and merging tombstones back together when their ids, origins and
 * flag allow (invariant 2), so backspacing over a burst leaves one tombstone run, not one per key.
 */
import { canMerge } from './run.ts';
import type { Leaf } from './run-tree.ts';
import type { SequenceCore } from './sequence-core.ts';

/** Marks `leaf.runs[idx]` deleted and merges it with tombstone neighbours; returns the index after it. */
function kill<C>(core: SequenceCore<C>, leaf: Leaf<C>, idx: number): number {
  const run = leaf.runs[idx]!;
  run.deleted = true;
  if (core.ops.dropDeleted) run.content = core.ops.empty;
  core.tree.bump(leaf, -run.len, 0);
  const runs = leaf.runs;
  const nextRun = runs[idx + 1];
  if (nextRun !== undefined && canMerge(run, nextRun)) mergeInto(core, leaf, idx);
  const prev = runs[idx - 1];
  if (prev !== undefined && canMerge(prev, run)) {
    mergeInto(core, leaf, idx - 1);
    return idx;
  }
  return idx + 1;
}

/** Merges `leaf.runs[idx + 1]` into `leaf.runs[idx]` (they satisfy `canMerge`). */
function mergeInto<C>(core: SequenceCore<C>, leaf: Leaf<C>, idx: number): void {
  const a = leaf.runs[idx]!;
  const b = leaf.runs[idx + 1]!;
  a.content = core.ops.concat(a.content, b.content);
  a.len += b.len;
  leaf.runs.splice(idx + 1, 1);
  core.byAgent[b.agent]!.remove(b);
  b.len = 0;
}

/** See {@link SequenceCore.deleteLocal}. */
export function deleteVisible<C>(core: SequenceCore<C>, pos: number, n: number, out: number[]): void {
  const tree = core.tree;
  tree.findVisible(pos);
  let leaf = tree.fLeaf;
  let idx = tree.fIdx;
  let off = tree.fOff;
  const touched: Leaf<C>[] = [leaf];
  while (n > 0) {
    if (idx >= leaf.runs.length) {
      leaf = leaf.next!;
      idx = 0;
      touched.push(leaf);
    }
    let run = leaf.runs[idx]!;
    if (run.deleted) {
      idx++;
      continue;
    }
    if (off > 0) {
      run = core.split(leaf, idx++, off);
      off = 0;
    }
    if (n < run.len) core.split(leaf, idx, n);
    n -= run.len;
    const last = out.length - 3;
    if (last >= 0 && out[last] === run.agent && out[last + 1]! + out[last + 2]! === run.counter)
      out[last + 2]! += run.len;
    else out.push(run.agent, run.counter, run.len);
    idx = kill(core, leaf, idx);
  }
  for (const l of touched) tree.fix(l);
}

/** See {@link SequenceCore.deleteRange}. */
export function deleteIds<C>(core: SequenceCore<C>, agent: number, counter: number, len: number): number {
  let deleted = 0;
  for (let c = counter, end = counter + len; c < end;) {
    let run = core.find(agent, c)!;
    const stop = Math.min(run.counter + run.len, end);
    if (!run.deleted) {
      const leaf = run.leaf;
      let idx = leaf.runs.indexOf(run);
      if (c > run.counter) run = core.split(leaf, idx++, c - run.counter);
      if (stop < run.counter + run.len) core.split(leaf, idx, stop - run.counter);
      deleted += run.len;
      kill(core, leaf, idx);
      core.tree.fix(leaf);
    }
    c = stop;
  }
  return deleted;
}
