/**
 * A B+ tree of runs in document order. Every node caches the number of elements below it, both
 * visible (`vis`) and in total including tombstones (`len`), so a visible index finds its run,
 * and a run finds its document position, in O(log n). Leaves are chained for scans.
 *
 * Leaves may briefly hold more than {@link LEAF_MAX} runs inside one operation; callers call
 * {@link RunTree.fix} before returning. Leaves never become empty (merges keep the left run),
 * except the single leaf of an empty document.
 */
import type { Run } from './run.ts';

/** Most runs in a leaf. */
export const LEAF_MAX = 32;
/** Most children of an inner node. */
const NODE_MAX = 16;

/** A leaf: a slice of the document's runs. */
export class Leaf<C> {
  readonly isLeaf = true;
  runs: Run<C>[] = [];
  vis = 0;
  len = 0;
  parent: Inner<C> | null = null;
  next: Leaf<C> | null = null;
  prev: Leaf<C> | null = null;
}

/** An inner node. */
export class Inner<C> {
  readonly isLeaf = false;
  kids: TreeNode<C>[] = [];
  vis = 0;
  len = 0;
  parent: Inner<C> | null = null;
}

/** Either kind of node. */
export type TreeNode<C> = Leaf<C> | Inner<C>;

/** The document as a tree of runs. */
export class RunTree<C> {
  root: TreeNode<C>;
  /** Leftmost leaf. */
  first: Leaf<C>;
  /** Results of {@link findVisible}, in fields to keep the hot path free of allocations. */
  fLeaf: Leaf<C>;
  fIdx = 0;
  fOff = 0;

  constructor(first: Leaf<C> = new Leaf<C>(), root: TreeNode<C> = first) {
    this.first = first;
    this.root = root;
    this.fLeaf = first;
  }

  /** Locates the visible element `pos` (0 <= pos < vis): its leaf, run index and offset. */
  findVisible(pos: number): void {
    let node = this.root;
    while (!node.isLeaf) {
      const kids = node.kids;
      let i = 0;
      for (; i < kids.length - 1; i++) {
        const v = kids[i]!.vis;
        if (pos < v) break;
        pos -= v;
      }
      node = kids[i]!;
    }
    const runs = node.runs;
    let i = 0;
    for (; i < runs.length - 1; i++) {
      const r = runs[i]!;
      if (r.deleted) continue;
      if (pos < r.len) break;
      pos -= r.len;
    }
    this.fLeaf = node;
    this.fIdx = i;
    this.fOff = pos;
  }

  /** Adds to the cached counts of `leaf` and its ancestors. */
  bump(leaf: Leaf<C>, dvis: number, dlen: number): void {
    for (let n: TreeNode<C> | null = leaf; n !== null; n = n.parent) {
      n.vis += dvis;
      n.len += dlen;
    }
  }

  /** Inserts `run` at `leaf.runs[idx]` and counts it; call {@link fix} afterwards. */
  insertAt(leaf: Leaf<C>, idx: number, run: Run<C>): void {
    run.leaf = leaf;
    if (idx === leaf.runs.length) leaf.runs.push(run);
    else leaf.runs.splice(idx, 0, run);
    this.bump(leaf, run.deleted ? 0 : run.len, run.len);
  }

  /** Splits `leaf` until it holds at most {@link LEAF_MAX} runs. */
  fix(leaf: Leaf<C>): void {
    while (leaf.runs.length > LEAF_MAX) {
      // Halve a slightly full leaf; peel LEAF_MAX-run leaves off the end of a much fuller one.
      const keep = Math.max(leaf.runs.length >> 1, leaf.runs.length - LEAF_MAX);
      const right = new Leaf<C>();
      right.runs = leaf.runs.splice(keep);
      let vis = 0;
      let len = 0;
      for (const r of right.runs) {
        r.leaf = right;
        len += r.len;
        if (!r.deleted) vis += r.len;
      }
      right.vis = vis;
      right.len = len;
      leaf.vis -= vis;
      leaf.len -= len;
      right.next = leaf.next;
      right.prev = leaf;
      if (leaf.next !== null) leaf.next.prev = right;
      leaf.next = right;
      this.addSibling(leaf, right);
    }
  }

  private addSibling(node: TreeNode<C>, sib: TreeNode<C>): void {
    const parent = node.parent;
    if (parent === null) {
      const root = new Inner<C>();
      root.kids = [node, sib];
      root.vis = node.vis + sib.vis;
      root.len = node.len + sib.len;
      node.parent = root;
      sib.parent = root;
      this.root = root;
      return;
    }
    sib.parent = parent;
    parent.kids.splice(parent.kids.indexOf(node) + 1, 0, sib);
    if (parent.kids.length <= NODE_MAX) return;
    const right = new Inner<C>();
    right.kids = parent.kids.splice(NODE_MAX >> 1);
    for (const k of right.kids) {
      k.parent = right;
      right.vis += k.vis;
      right.len += k.len;
    }
    parent.vis -= right.vis;
    parent.len -= right.len;
    this.addSibling(parent, right);
  }

  /** Document position (tombstones included) of element `off` of `run`. */
  rank(run: Run<C>, off: number): number {
    let n = off;
    for (const r of run.leaf.runs) {
      if (r === run) break;
      n += r.len;
    }
    let node: TreeNode<C> = run.leaf;
    for (let p = node.parent; p !== null; node = p, p = p.parent) {
      for (const k of p.kids) {
        if (k === node) break;
        n += k.len;
      }
    }
    return n;
  }

  /** Visible elements before element `off` of `run` (plus `off` itself when the run is visible). */
  visRank(run: Run<C>, off: number): number {
    let n = run.deleted ? 0 : off;
    for (const r of run.leaf.runs) {
      if (r === run) break;
      if (!r.deleted) n += r.len;
    }
    let node: TreeNode<C> = run.leaf;
    for (let p = node.parent; p !== null; node = p, p = p.parent) {
      for (const k of p.kids) {
        if (k === node) break;
        n += k.vis;
      }
    }
    return n;
  }

  /** The run after `leaf.runs[idx]` in document order, or null at the end. */
  after(leaf: Leaf<C>, idx: number): Run<C> | null {
    if (idx + 1 < leaf.runs.length) return leaf.runs[idx + 1]!;
    const next = leaf.next;
    return next === null ? null : next.runs[0]!;
  }

  /** The run before `leaf.runs[idx]` in document order, or null at the start. */
  before(leaf: Leaf<C>, idx: number): Run<C> | null {
    if (idx > 0) return leaf.runs[idx - 1]!;
    const prev = leaf.prev;
    return prev === null ? null : prev.runs[prev.runs.length - 1]!;
  }

  /** Rightmost leaf. */
  last(): Leaf<C> {
    let node = this.root;
    while (!node.isLeaf) node = node.kids[node.kids.length - 1]!;
    return node;
  }

  /** Calls `f` on every run in document order. */
  forEach(f: (run: Run<C>) => void): void {
    for (let leaf: Leaf<C> | null = this.first; leaf !== null; leaf = leaf.next) for (const r of leaf.runs) f(r);
  }
}

/** Builds a tree over `runs` (document order) in O(n), leaving room in each leaf for later edits. */
export function bulkLoad<C>(runs: Run<C>[]): RunTree<C> {
  const per = (LEAF_MAX * 3) >> 2;
  let level: TreeNode<C>[] = [];
  let prev: Leaf<C> | null = null;
  for (let i = 0; i < runs.length || level.length === 0; i += per) {
    const leaf = new Leaf<C>();
    leaf.runs = runs.slice(i, i + per);
    for (const r of leaf.runs) {
      r.leaf = leaf;
      leaf.len += r.len;
      if (!r.deleted) leaf.vis += r.len;
    }
    if (prev !== null) prev.next = leaf;
    leaf.prev = prev;
    prev = leaf;
    level.push(leaf);
  }
  const first = level[0] as Leaf<C>;
  const fan = (NODE_MAX * 3) >> 2;
  while (level.length > 1) {
    const up: TreeNode<C>[] = [];
    for (let i = 0; i < level.length; i += fan) {
      const node = new Inner<C>();
      node.kids = level.slice(i, i + fan);
      for (const k of node.kids) {
        k.parent = node;
        node.vis += k.vis;
        node.len += k.len;
      }
      up.push(node);
    }
    level = up;
  }
  return new RunTree<C>(first, level[0]!);
}
