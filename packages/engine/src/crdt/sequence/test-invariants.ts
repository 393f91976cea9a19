/**
 * Test-only: checks the structural invariants of sequence-core.ts (4: cached counts, leaf
 * pointers, id index; 2: no run crosses its agent's id range) and the leaf size bound.
 */
import { LEAF_MAX, type TreeNode } from './run-tree.ts';
import type { SequenceCore } from './sequence-core.ts';

/** Throws an Error describing the first violated invariant. */
export function checkInvariants<C>(core: SequenceCore<C>): void {
  const fail = (msg: string): never => {
    throw new Error(`invariant: ${msg}`);
  };
  const walk = (node: TreeNode<C>): [number, number] => {
    let vis = 0;
    let len = 0;
    if (node.isLeaf) {
      if (node.runs.length > LEAF_MAX) fail(`leaf holds ${node.runs.length} runs`);
      if (node.runs.length === 0 && node !== core.tree.root) fail('empty leaf');
      for (const r of node.runs) {
        if (r.leaf !== node) fail('run.leaf is stale');
        if (r.len < 1) fail('dead run in a leaf');
        if (core.find(r.agent, r.counter) !== r) fail('run missing from the id index');
        if (r.counter + r.len > core.blocks[r.agent]!.total) fail('run beyond its agent ids');
        len += r.len;
        if (!r.deleted) vis += r.len;
      }
    } else {
      for (const k of node.kids) {
        if (k.parent !== node) fail('stale parent pointer');
        const [v, l] = walk(k);
        vis += v;
        len += l;
      }
    }
    if (node.vis !== vis || node.len !== len) fail('cached counts differ from the runs');
    return [vis, len];
  };
  const [, total] = walk(core.tree.root);
  const ids = core.blocks.reduce((n, b) => n + b.total, 0);
  if (total !== ids) fail(`tree holds ${total} elements, the id blocks ${ids}`);
}
