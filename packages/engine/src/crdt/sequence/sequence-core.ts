/**
 * The sequence CRDT shared by `text` and `list<T>`: FugueMax ordering over run-length encoded
 * runs held in a B+ tree, with a per-agent id index.
 *
 * Why FugueMax (the "YjsMod" integration of Diamond Types, shown equal to FugueMax by Weidner
 * and Kleppmann, "The Art of the Fugue", 2023):
 *  - like YATA it needs only a left and a right origin per element, so a burst of typing is one
 *    run with one pair of origins, local inserts never scan and remote ones almost never do;
 *  - unlike RGA and YATA it is maximally non-interleaving: text typed concurrently at one place,
 *    forwards or backwards, never interleaves;
 *  - ops name elements by id, so every op can be validated against the current state before it
 *    is applied (invariant 5). Eg-walker would store less and load plain text, but its ops are
 *    positions in their parent version: validating or merging one needs the historical document
 *    state, rebuilt by retreating and advancing through the event graph, which is a poor fit for
 *    an engine that checks each signed change on ingest.
 *
 * Data structure: runs in a B+ tree caching visible and total counts per node (index -> run and
 * run -> position in O(log n)); for each agent, a chunked sorted array of its runs by counter
 * (id -> run in O(log n), with a one-entry cache for consecutive lookups). Remote inserts whose
 * right origin is the element right after their left origin skip the FugueMax scan. Deleted text
 * content is dropped; tombstones keep only ids and origins.
 *
 * Ids: payloads carry the engine's real counters (`seq * 2^20 + k`); inside the core every
 * counter is a dense index (id-blocks.ts), so runs continue across change boundaries exactly
 * like one burst of typing, and the structure stays as small as Yjs's item list.
 *
 * Invariants:
 *  1. Element ids are unique: an insert's real counters must start at or after the end of the
 *     agent's id blocks (`IdBlocks.end`), otherwise it is rejected; dense ids never change, and
 *     every dense id below `IdBlocks.total` names exactly one element (maybe a tombstone).
 *  2. Element k > 0 of a run has left origin `(agent, counter + k - 1)`; all elements of a run
 *     share its right origin and deleted flag. Splitting or merging runs never changes any
 *     element's id, origins, content or flag, so it is invisible to every reader and encoder.
 *  3. The document order is the FugueMax order of all elements ever integrated, tombstones
 *     included, and it depends only on the set of integrated ops, not on their (causal) order.
 *  4. Every node's `vis`/`len` equal the sums over its runs; every live run is in exactly one
 *     leaf (`run.leaf`, at most LEAF_MAX runs) and exactly once in its agent's index; dead
 *     (merged) runs have len 0. test-invariants.ts checks this in the fuzz tests.
 *  5. A remote op is fully validated (shape, known ids, fresh counters, origin order) before the
 *     first semantic mutation; only invisible changes (run splits, see invariant 2, and an agent
 *     name entering the table) may precede a rejection.
 *  6. Deletion is permanent and idempotent; a deleted element keeps its place as a tombstone.
 */
import { WeftError } from '../../errors.ts';
import { IdBlocks } from './id-blocks.ts';
import { AgentRuns } from './id-index.ts';
import { type ContentOps, NONE, Run } from './run.ts';
import { type Leaf, RunTree } from './run-tree.ts';
import { deleteIds, deleteVisible } from './core-delete.ts';
import { integrate } from './integrate.ts';

/** Throws the `E_VALIDATION` error of a rejected op. */
export function invalid(msg: string): never {
  throw new WeftError('E_VALIDATION', `sequence: ${msg}`);
}

/** The CRDT state without any notion of payloads; agents are small integers here. */
export class SequenceCore<C> {
  tree: RunTree<C>;
  readonly agents: string[] = [];
  readonly byAgent: AgentRuns<C>[] = [];
  /** Per agent: real counter <-> dense index. */
  readonly blocks: IdBlocks[] = [];
  private readonly agentIds = new Map<string, number>();
  /** Origins chosen by the last {@link insertLocal}: agent index ({@link NONE} for none) and counter. */
  lA = NONE;
  lC = 0;
  rA = NONE;
  rC = 0;

  constructor(
    readonly ops: ContentOps<C>,
    tree: RunTree<C> = new RunTree<C>(),
  ) {
    this.tree = tree;
  }

  /** Visible element count. */
  get length(): number {
    return this.tree.root.vis;
  }

  /** The agent's index, registering it if new. */
  agent(name: string): number {
    let i = this.agentIds.get(name);
    if (i === undefined) {
      i = this.agents.push(name) - 1;
      this.agentIds.set(name, i);
      this.byAgent.push(new AgentRuns<C>());
      this.blocks.push(new IdBlocks());
    }
    return i;
  }

  /** Dense index of the agent's real counter `c`, or -1 when unknown. */
  denseOf(agent: number, c: number): number {
    return agent < 0 ? -1 : this.blocks[agent]!.toDense(c);
  }

  /** Real counter of the agent's dense index `d`. */
  realOf(agent: number, d: number): number {
    return this.blocks[agent]!.toReal(d);
  }

  /** Dense index the agent's next new element will get. */
  nextDense(agent: number): number {
    return this.blocks[agent]!.total;
  }

  /** Records `n` new ids from real counter `real` (after {@link checkFresh}); returns the first dense index. */
  register(agent: number, real: number, n: number): number {
    return this.blocks[agent]!.add(real, n);
  }

  /** The agent's index, or {@link NONE} when it never inserted anything here. */
  knownAgent(name: string): number {
    return this.agentIds.get(name) ?? NONE;
  }

  /** The live run holding `(agent, counter)`. */
  find(agent: number, counter: number): Run<C> | undefined {
    return agent < 0 ? undefined : this.byAgent[agent]?.find(counter);
  }

  /** Throws unless `n` new ids from real counter `real` keep ids unique (invariant 1). */
  checkFresh(agent: number, real: number, n: number): void {
    if (real < this.blocks[agent]!.end) invalid('element ids reused (counter not increasing)');
    if (!Number.isSafeInteger(real + n)) invalid('counter overflow');
  }

  /**
   * Inserts `n` elements at visible index `pos` and records the origins in `lA/lC/rA/rC`. The new
   * elements go after any tombstones before the next visible element: a retyped character then
   * continues the deleted one's ids and origins, which keeps snapshots small.
   */
  insertLocal(pos: number, content: C, n: number, agent: number, counter: number, deleted: boolean): void {
    const tree = this.tree;
    let leaf: Leaf<C>;
    let idx: number;
    if (pos === tree.root.vis) {
      leaf = tree.last();
      idx = leaf.runs.length;
      this.rA = NONE;
      this.rC = 0;
    } else {
      tree.findVisible(pos);
      leaf = tree.fLeaf;
      idx = tree.fIdx;
      const off = tree.fOff;
      const run = leaf.runs[idx]!;
      this.rA = run.agent;
      this.rC = run.counter + off;
      if (off > 0) {
        this.lA = run.agent;
        this.lC = this.rC - 1;
        this.split(leaf, idx, off);
        this.place(leaf, idx + 1, content, n, agent, counter, deleted, this.lA, this.lC, this.rA, this.rC);
        return;
      }
    }
    const prev = tree.before(leaf, idx);
    this.lA = prev === null ? NONE : prev.agent;
    this.lC = prev === null ? 0 : prev.counter + prev.len - 1;
    if (prev !== null && this.tryAppend(prev, content, n, agent, counter, deleted, this.rA, this.rC)) return;
    this.place(leaf, idx, content, n, agent, counter, deleted, this.lA, this.lC, this.rA, this.rC);
  }

  /**
   * Integrates `n` remote elements `(agent, counter..)` with the given origins (see integrate.ts).
   * Validates first (invariant 5): throws `E_VALIDATION` for unknown origins, reused ids or
   * crossed origins.
   */
  insertRemote(
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
    integrate(this, lA, lC, rA, rC, content, n, agent, counter, deleted);
  }

  /** Extends `run` in place when the new elements continue it (invariant 2). @internal */
  tryAppend(
    run: Run<C>,
    content: C,
    n: number,
    agent: number,
    counter: number,
    deleted: boolean,
    rA: number,
    rC: number,
  ): boolean {
    if (run.agent !== agent || run.counter + run.len !== counter || run.deleted !== deleted) return false;
    if (run.orA !== rA || run.orC !== rC) return false;
    if (!(deleted && this.ops.dropDeleted)) run.content = this.ops.concat(run.content, content);
    run.len += n;
    this.tree.bump(run.leaf, deleted ? 0 : n, n);
    return true;
  }

  /** Inserts a new run at `leaf.runs[idx]` and indexes it. @internal */
  place(
    leaf: Leaf<C>,
    idx: number,
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
    const c = deleted && this.ops.dropDeleted ? this.ops.empty : content;
    const run = new Run<C>(agent, counter, n, c, deleted, lA, lC, rA, rC, leaf);
    this.tree.insertAt(leaf, idx, run);
    this.byAgent[agent]!.add(run);
    this.tree.fix(leaf);
  }

  /** Splits `leaf.runs[idx]` before its element `k` and returns the right half (same leaf, idx + 1). */
  split(leaf: Leaf<C>, idx: number, k: number): Run<C> {
    const r = leaf.runs[idx]!;
    const ops = this.ops;
    const rc = ops.slice(r.content, k, r.len, r.len);
    const right = new Run<C>(
      r.agent,
      r.counter + k,
      r.len - k,
      rc,
      r.deleted,
      r.agent,
      r.counter + k - 1,
      r.orA,
      r.orC,
      leaf,
    );
    r.content = ops.slice(r.content, 0, k, r.len);
    r.len = k;
    leaf.runs.splice(idx + 1, 0, right);
    this.byAgent[r.agent]!.add(right);
    return right;
  }

  /**
   * Deletes `n` visible elements from `pos`; appends `[agent, counter, len]` triples of the ids it
   * deleted to `out`, coalescing contiguous ids.
   */
  deleteLocal(pos: number, n: number, out: number[]): void {
    deleteVisible(this, pos, n, out);
  }

  /** Deletes ids `(agent, counter .. counter+len-1)`, which must exist; returns how many were visible. */
  deleteRange(agent: number, counter: number, len: number): number {
    return deleteIds(this, agent, counter, len);
  }

  /** Id of the visible element at `pos`: sets `lA/lC`. */
  idAt(pos: number): void {
    const tree = this.tree;
    tree.findVisible(pos);
    const run = tree.fLeaf.runs[tree.fIdx]!;
    this.lA = run.agent;
    this.lC = run.counter + tree.fOff;
  }

  /** Visible index of a known id; for a tombstone, the number of visible elements before it. */
  indexOf(agent: number, counter: number): number {
    const run = this.find(agent, counter)!;
    return this.tree.visRank(run, counter - run.counter);
  }

  /** Visible content from `start` (count elements), as run contents in order. */
  collect(start: number, count: number, f: (c: C, from: number, to: number, len: number) => void): void {
    if (count <= 0) return;
    const tree = this.tree;
    tree.findVisible(start);
    let leaf: Leaf<C> | null = tree.fLeaf;
    let idx = tree.fIdx;
    let off = tree.fOff;
    while (count > 0 && leaf !== null) {
      const run = leaf.runs[idx];
      if (run === undefined) {
        leaf = leaf.next;
        idx = 0;
        continue;
      }
      if (!run.deleted) {
        const take = Math.min(run.len - off, count);
        f(run.content, off, off + take, run.len);
        count -= take;
        off = 0;
      }
      idx++;
    }
  }
}
