/**
 * Folds a burst of local sequence edits into one signed change, so signing never sits on the
 * typing path: each edit applies locally at once (synchronously) and its op joins the open burst;
 * the burst is handed to `flush` after `maxDelayMs` (default 250 ms, counted from the burst's
 * first edit) or `maxOps` edits (default 1,000), whichever comes first, or when `flush()` is called.
 * The engine must call `flush()` before it creates any other change of this author: a burst
 * takes the author's next seq (`nextSeq`, a peek) when it opens, and that seq stays valid only
 * while no other change is created. A burst whose edits all failed is never flushed, so a failed
 * edit consumes no seq and leaves no hole in the author's chain.
 *
 * Ids: the burst's change is `(agent, seq)`; its inserted elements get counters
 * `seq * 2^20 + k` with k counting up across the burst in op order, which is how the engine
 * renumbers them on every replica (see {@link insertCount}). Consecutive ops that fold (fold-ops.ts)
 * are merged into one.
 */
import { WeftError } from '../../errors.ts';
import { host } from '../../host.ts';
import { fold } from './fold-ops.ts';
import { type SeqOp, insertCount } from './op.ts';
import { codePoints } from './run.ts';

/** Elements one change may insert (the engine's id scheme). */
export const CHANGE_STRIDE = 2 ** 20;

/** An injectable timer: the engine passes a real one, tests a fake one. */
export interface FolderTimer {
  /** Calls `cb` once after `ms` milliseconds; returns a handle for {@link clear}. */
  set(cb: () => void, ms: number): unknown;
  /** Cancels a pending callback. */
  clear(handle: unknown): void;
}

/** One folded op and the sequence (field) it targets. */
export interface FoldedEdit<K> {
  readonly key: K;
  readonly op: SeqOp;
}

/** A burst, ready to become the change `(agent, seq)`. */
export interface Burst<K> {
  readonly seq: number;
  readonly edits: readonly FoldedEdit<K>[];
}

/** Options of an {@link EditFolder}. */
export interface EditFolderOptions<K> {
  /** The local author. */
  readonly agent: string;
  /**
   * The seq the author's next change will have, without reserving it; called when a burst opens.
   * The change made from the burst must get exactly this seq.
   */
  readonly nextSeq: () => number;
  /** Receives each closed burst. Must not block: sign asynchronously. */
  readonly flush: (burst: Burst<K>) => void;
  readonly timer?: FolderTimer;
  readonly maxDelayMs?: number;
  readonly maxOps?: number;
}

/** A sequence the folder can edit: `Text` or `List`. */
export interface FoldTarget<C> {
  /** See `Text.insert` / `List.insert`. */
  insert(index: number, content: C, agent: string, counterStart: number): SeqOp;
  /** See `Text.delete` / `List.delete`. */
  delete(index: number, length: number, agent: string): SeqOp;
}

/** A list the folder can move elements in. */
export interface MoveTarget {
  /** See `List.move`. */
  move(from: number, to: number, agent: string, counterStart: number): SeqOp;
}

const hostTimer: FolderTimer = {
  set: (cb, ms) => host.setTimeout(cb, ms),
  clear: (h) => host.clearTimeout(h),
};

interface Pending<K> {
  key: K;
  op: SeqOp;
  start: number;
}

/** Accumulates local edits into bursts. `K` identifies the edited field (e.g. doc id + field). */
export class EditFolder<K> {
  private readonly timer: FolderTimer;
  private readonly maxDelayMs: number;
  private readonly maxOps: number;
  private seq = -1;
  private k = 0;
  private count = 0;
  private edits: Pending<K>[] = [];
  private handle: unknown = undefined;
  /** Bumped per burst, so a late callback of an old burst's timer cannot flush a newer burst. */
  private generation = 0;

  /** A folder for one author; see {@link EditFolderOptions}. */
  constructor(private readonly opts: EditFolderOptions<K>) {
    this.timer = opts.timer ?? hostTimer;
    this.maxDelayMs = opts.maxDelayMs ?? 250;
    this.maxOps = opts.maxOps ?? 1000;
  }

  /** Ops waiting in the open burst. */
  get pending(): number {
    return this.edits.length;
  }

  /** True when the open burst has an edit on `key`. */
  touches(key: K): boolean {
    return this.edits.some((e) => e.key === key);
  }

  /** Inserts into `target` now and records the op. */
  insert<C extends string | readonly unknown[]>(key: K, target: FoldTarget<C>, index: number, content: C): SeqOp {
    const n = typeof content === 'string' ? codePoints(content) : content.length;
    const start = this.reserve(n);
    return this.record(key, target.insert(index, content, this.opts.agent, start), start);
  }

  /** Deletes from `target` now and records the op. */
  delete(key: K, target: FoldTarget<never>, index: number, length: number): SeqOp {
    this.reserve(0);
    return this.record(key, target.delete(index, length, this.opts.agent), -1);
  }

  /** Moves an element of `target` now and records the op. */
  move(key: K, target: MoveTarget, from: number, to: number): SeqOp {
    const start = this.reserve(1);
    return this.record(key, target.move(from, to, this.opts.agent, start), start);
  }

  /** Closes the open burst (if any) and hands it to `flush`. */
  flush(): void {
    if (this.handle !== undefined) this.timer.clear(this.handle);
    this.handle = undefined;
    if (this.seq < 0) return;
    const burst: Burst<K> = { seq: this.seq, edits: this.edits.map(({ key, op }) => ({ key, op })) };
    this.seq = -1;
    this.count = 0;
    this.edits = [];
    if (burst.edits.length > 0) this.opts.flush(burst);
  }

  /** Flushes and stops the timer. */
  dispose(): void {
    this.flush();
  }

  /** Opens a burst if needed and returns the counter for `n` new elements. */
  private reserve(n: number): number {
    if (n > CHANGE_STRIDE) throw new WeftError('E_TOO_LARGE', `one change inserts at most ${CHANGE_STRIDE} elements`);
    if (this.seq >= 0 && this.k + n > CHANGE_STRIDE) this.flush();
    if (this.seq < 0) {
      this.seq = this.opts.nextSeq();
      this.k = 0;
      const generation = ++this.generation;
      this.handle = this.timer.set(() => {
        if (generation !== this.generation) return;
        this.handle = undefined;
        this.flush();
      }, this.maxDelayMs);
    }
    return this.seq * CHANGE_STRIDE + this.k;
  }

  private record(key: K, op: SeqOp, start: number): SeqOp {
    this.k += insertCount(op);
    const last = this.edits[this.edits.length - 1];
    const folded = last !== undefined && last.key === key ? fold(last.op, op, last.start, this.opts.agent) : null;
    if (folded !== null) last!.op = folded;
    else this.edits.push({ key, op, start });
    if (++this.count >= this.maxOps) this.flush();
    return op;
  }
}
