/**
 * Remote inserts: where FugueMax puts elements whose origins are known ids. Almost every remote
 * insert finds its right origin immediately after its left origin (nothing concurrent between
 * them) and is placed without scanning; only genuinely concurrent inserts at one place scan.
 */
import type { Leaf } from './run-tree.ts';
import { NONE } from './run.ts';
import { type SequenceCore, invalid } from './sequence-core.ts';

/**
 * Integrates `n` elements `(agent, counter..)` (dense ids, not yet registered) with origins
 * `(lA, lC)` and `(rA, rC)`; throws `E_VALIDATION` before any semantic change when they are unknown
 * or crossed.
 */
export function integrate<C>(
  core: SequenceCore<C>,
  lA: number,
  lC: number,
  rA: number,
  rC: number,
  content: C,
  n: number,
  agent: number,
  counter: number,
  deleted: boolean,
): void {
  const tree = core.tree;
  const left = lA === NONE ? undefined : core.find(lA, lC);
  if (lA !== NONE && left === undefined) invalid('left origin is not a known element');
  const right = rA === NONE ? undefined : core.find(rA, rC);
  if (rA !== NONE && right === undefined) invalid('right origin is not a known element');
  const leaf = left === undefined ? tree.first : left.leaf;
  const idx = left === undefined ? -1 : leaf.runs.indexOf(left);
  const lOff = left === undefined ? 0 : lC - left.counter;
  const inside = left !== undefined && lOff + 1 < left.len;
  const next = inside ? left : idx + 1 < leaf.runs.length ? leaf.runs[idx + 1]! : tree.after(leaf, idx);
  const nextC = inside ? lC + 1 : next === null ? 0 : next.counter;
  if ((next === null ? NONE : next.agent) === rA && nextC === rC) {
    // The origins are still adjacent: nothing concurrent sits between them.
    if (inside) core.split(leaf, idx, lOff + 1);
    else if (left !== undefined && core.tryAppend(left, content, n, agent, counter, deleted, rA, rC)) return;
    core.place(leaf, idx + 1, content, n, agent, counter, deleted, lA, lC, rA, rC);
    return;
  }
  const lPos = left === undefined ? -1 : tree.rank(left, lOff);
  const rPos = right === undefined ? tree.root.len : tree.rank(right, rC - right.counter);
  if (rPos <= lPos) invalid('right origin is not after left origin');
  if (inside) core.split(leaf, idx, lOff + 1);
  scanAndPlace(core, leaf, idx + 1, lPos, rPos, content, n, agent, counter, deleted, lA, lC, rA, rC);
  // The split grew the left origin's leaf, which need not be the one the new run went into.
  core.tree.fix(leaf);
}

/**
 * The FugueMax scan over the runs between the origins, all of them concurrent with the new
 * elements (reference: "YjsMod" in josephg/reference-crdts, equal to FugueMax).
 */
function scanAndPlace<C>(
  core: SequenceCore<C>,
  leaf: Leaf<C>,
  idx: number,
  lPos: number,
  rPos: number,
  content: C,
  n: number,
  agent: number,
  counter: number,
  deleted: boolean,
  lA: number,
  lC: number,
  rA: number,
  rC: number,
): void {
  const total = core.tree.root.len;
  let dLeaf = leaf;
  let dIdx = idx;
  let pos = lPos + 1;
  let scanning = false;
  for (;;) {
    if (idx >= leaf.runs.length && leaf.next !== null) {
      leaf = leaf.next;
      idx = 0;
    }
    if (!scanning) {
      dLeaf = leaf;
      dIdx = idx;
    }
    if (pos === rPos) break;
    const other = leaf.runs[idx];
    if (other === undefined) break;
    // Only element 0 of a run can stop the scan: later ones have their left origin inside it.
    if (pos + other.len > rPos) invalid('right origin is inside a concurrent run');
    const oLeft = other.olA === NONE ? -1 : rankOf(core, other.olA, other.olC);
    if (oLeft < lPos) break;
    if (oLeft === lPos) {
      const oRight = other.orA === NONE ? total : rankOf(core, other.orA, other.orC);
      if (oRight < rPos) scanning = true;
      else if (oRight === rPos && precedes(core, agent, counter, other.agent, other.counter)) break;
      else scanning = false;
    }
    pos += other.len;
    idx++;
  }
  const prev = dIdx > 0 ? dLeaf.runs[dIdx - 1] : undefined;
  if (prev !== undefined && prev.agent === lA && prev.counter + prev.len - 1 === lC) {
    if (core.tryAppend(prev, content, n, agent, counter, deleted, rA, rC)) return;
  }
  core.place(dLeaf, dIdx, content, n, agent, counter, deleted, lA, lC, rA, rC);
}

/** Tie-break between concurrent siblings: by agent name, then counter; the same on every replica. */
function precedes<C>(core: SequenceCore<C>, a: number, ac: number, b: number, bc: number): boolean {
  const x = core.agents[a]!;
  const y = core.agents[b]!;
  return x < y || (x === y && ac < bc);
}

function rankOf<C>(core: SequenceCore<C>, agent: number, counter: number): number {
  const run = core.find(agent, counter)!;
  return core.tree.rank(run, counter - run.counter);
}
