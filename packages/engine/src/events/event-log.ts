/**
 * The persisted effect log behind `replica.events()` (DESIGN §6): a {@link CommitExtension}
 * that appends each batch's effects to the `meta` store in the batch's own atomic write.
 *
 * Invariants:
 *  1. Effects get consecutive positions 1, 2, 3 … in commit order, never reused. A batch's
 *     effects are durable exactly when the batch is: after a crash either both the state change
 *     and its effects are stored, or neither.
 *  2. Only published positions (< {@link EventLog.next}) are ever handed to readers; a batch is
 *     published in `onCommitted`, after its write resolved, and dropped in `onAbort`.
 *  3. Retention drops whole batches, oldest first, and never one holding any of the newest
 *     `retainEffects` positions, so the newest batch is always kept.
 */
import { decode, encode } from '../encoding/canonical.ts';
import { toBase64Url } from '../bytes.ts';
import { randomBytes } from '../host.ts';
import { WeftError } from '../errors.ts';
import type { BatchContext, CommitExtension } from '../replica/extension.ts';
import type { StorageAdapter } from '../storage/storage-port.ts';
import {
  BATCH_END,
  BATCH_PREFIX,
  EPOCH_KEY,
  batchKey,
  batchKeyPosition,
  decodeBatch,
  pruneBefore,
  putBatch,
  type LoggedBatch,
} from './effect-log-store.ts';

/** Options for the event log (`ReplicaOptions.events`). */
export interface EventLogOptions {
  /** Keep at least this many of the newest effects (default 100,000); older whole batches are dropped. */
  readonly retainEffects?: number;
  /** Randomness for the log's epoch (default crypto.getRandomValues). */
  readonly random?: (n: number) => Uint8Array;
}

/** Default {@link EventLogOptions.retainEffects}. */
export const DEFAULT_RETAIN_EFFECTS = 100_000;
/** Recent batches kept decoded in memory so live readers never go back to storage. */
const RECENT_EFFECTS = 4096;

/** The effect log of one replica. */
export class EventLog implements CommitExtension {
  private readonly retain: number;
  private readonly random: (n: number) => Uint8Array;
  private storage: StorageAdapter | undefined;
  private epochValue: string | undefined;
  private epochStored = false;
  private nextPos = 1;
  private staged: LoggedBatch | undefined;
  /** Batches ending below this position are dropped by the staged batch's write. */
  private stagedCutoff = 0;
  private recent: LoggedBatch[] = [];
  private recentCount = 0;
  private readonly waiters = new Set<() => void>();
  private closedFlag = false;

  constructor(options: EventLogOptions = {}) {
    const retain = options.retainEffects ?? DEFAULT_RETAIN_EFFECTS;
    if (!Number.isSafeInteger(retain) || retain < 1)
      throw new WeftError('E_INVALID_ARGUMENT', `retainEffects must be a positive integer, got ${retain}`);
    this.retain = retain;
    this.random = options.random ?? randomBytes;
  }

  /** The log's epoch (the first half of every checkpoint). */
  get epoch(): string {
    return (this.epochValue ??= toBase64Url(this.random(9)));
  }

  /** The position the next committed effect will get; everything below it is readable. */
  get next(): number {
    return this.nextPos;
  }

  /** True once the replica closed. */
  get closed(): boolean {
    return this.closedFlag;
  }

  async load(storage: StorageAdapter): Promise<void> {
    this.storage = storage;
    this.staged = undefined;
    this.recent = [];
    this.recentCount = 0;
    const epoch = await storage.get('meta', EPOCH_KEY);
    // A log never written keeps the epoch it may already have made up in memory: nothing was
    // published under it, and the first batch with effects stores it.
    if (epoch !== undefined) this.epochValue = decode(epoch) as string;
    this.epochStored = epoch !== undefined;
    const [last] = await storage.scan('meta', { gte: BATCH_PREFIX, lt: BATCH_END, reverse: true, limit: 1 });
    this.nextPos = last === undefined ? 1 : batchKeyPosition(last.key) + 1;
  }

  onBatch(ctx: BatchContext): void {
    if (ctx.effects.length === 0) return;
    const first = this.nextPos;
    this.staged = { first, effects: ctx.effects.slice() };
    if (!this.epochStored) ctx.writes.push({ type: 'put', store: 'meta', key: EPOCH_KEY, value: encode(this.epoch) });
    ctx.writes.push(putBatch(first, this.staged.effects));
    const cutoff = first + ctx.effects.length - this.retain;
    this.stagedCutoff = cutoff;
    if (cutoff > 1) ctx.writes.push(pruneBefore(cutoff));
  }

  onAbort(): void {
    this.staged = undefined;
  }

  onCommitted(): void {
    const batch = this.staged;
    if (batch === undefined) return;
    this.staged = undefined;
    this.epochStored = true;
    this.nextPos = batch.first + batch.effects.length;
    this.recent.push(batch);
    this.recentCount += batch.effects.length;
    // The cache forgets what retention dropped from storage, and whatever exceeds its budget.
    const r = this.recent;
    while (
      r.length > 1 &&
      (r[0]!.first + r[0]!.effects.length <= this.stagedCutoff ||
        this.recentCount - r[0]!.effects.length >= RECENT_EFFECTS)
    )
      this.recentCount -= r.shift()!.effects.length;
    this.wake();
  }

  /** Ends every waiting reader (the replica closed). */
  close(): void {
    this.closedFlag = true;
    this.wake();
  }

  private wake(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  /** Resolves at the next publish or close; the returned function cancels the wait. */
  waitForCommit(): { promise: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.waiters.add(resolve);
    return {
      promise,
      cancel: () => {
        this.waiters.delete(resolve);
        resolve();
      },
    };
  }

  /** Position of the oldest effect still stored (= {@link next} when there is none). */
  async oldest(): Promise<number> {
    const [first] = await this.store().scan('meta', { gte: BATCH_PREFIX, lt: BATCH_END, limit: 1 });
    return first === undefined ? this.nextPos : Math.min(decodeBatch(first.value).first, this.nextPos);
  }

  /**
   * Published batches holding positions ≥ `from`, in order, at most `limit` of them. Throws
   * `E_NOT_FOUND` when position `from` itself was dropped by retention.
   */
  async read(from: number, limit = 32): Promise<LoggedBatch[]> {
    const end = this.nextPos;
    if (from >= end) return [];
    let out: LoggedBatch[];
    const r = this.recent;
    if (r.length > 0 && r[0]!.first <= from) {
      let i = r.length - 1;
      while (r[i]!.first > from) i--;
      out = r.slice(i, i + limit);
    } else {
      const rows = await this.store().scan('meta', { gte: batchKey(from), lt: BATCH_END, limit });
      out = rows.map((row) => decodeBatch(row.value)).filter((b) => b.first < end);
    }
    if (out.length === 0 || out[0]!.first > from)
      throw new WeftError('E_NOT_FOUND', `event ${from} is older than the retained event log`, {
        reason: 'pruned',
        oldest: out[0]?.first ?? end,
      });
    return out;
  }

  private store(): StorageAdapter {
    if (this.storage === undefined) throw new WeftError('E_INTERNAL', 'event log used before load');
    return this.storage;
  }
}
