/**
 * `replica.events({ after })`: an async iterator over the effect log that first catches up
 * from storage, then tails live commits.
 *
 * Exactly once: effects come in position order with no gaps; a consumer that stores the
 * checkpoint of the last effect it handled and later resumes with `after: checkpoint` gets
 * precisely the effects after it, across restarts of the replica. When that is impossible
 * (the checkpoint fell out of retention, belongs to another log, or lies in its future) the
 * iterator rejects with `E_NOT_FOUND` rather than skip anything: the consumer must resync from
 * current state (read the docs, then resume with `after: 'now'`).
 */
import { WeftError } from '../errors.ts';
import type { Effect } from '../replica/effects.ts';
import { makeCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { EventLog } from './event-log.ts';
import type { LoggedBatch } from './effect-log-store.ts';

/** An effect as the stream delivers it. */
export type StreamEvent = Effect & {
  /** Resume with `after: checkpoint` to get the effects after this one. */
  readonly checkpoint: Checkpoint;
  /** True on the last effect of a committed batch (mirrors can commit their own batch there). */
  readonly batchEnd: boolean;
};

/** Options for `replica.events()`. */
export interface EventsOptions {
  /**
   * Where to start: after this checkpoint; `'now'` for only effects committed from here on;
   * omitted for the oldest effect still retained.
   */
  readonly after?: Checkpoint | 'now';
  /** Keep waiting for new commits once caught up (default true); false ends the iteration there. */
  readonly live?: boolean;
}

/** The iterator `replica.events()` returns. `return()` (a `break` in for-await) unsubscribes. */
export class EventStream implements AsyncIterableIterator<StreamEvent> {
  /** Next position to deliver; undefined until resolved (start = oldest retained). */
  private pos: number | undefined;
  private readonly buffer: StreamEvent[] = [];
  private done = false;
  private cancelWait: (() => void) | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly live: boolean;

  /** @internal use `replica.events()` */
  constructor(
    private readonly log: EventLog,
    options: EventsOptions = {},
  ) {
    this.live = options.live ?? true;
    const after = options.after;
    if (after === 'now') this.pos = log.next;
    else if (after !== undefined) {
      const { epoch, position } = parseCheckpoint(after);
      if (epoch !== log.epoch)
        throw new WeftError('E_NOT_FOUND', 'checkpoint belongs to another event log', { reason: 'epoch' });
      // Only published positions are ever handed out, so a later one comes from a storage that
      // was rolled back (restored from an old copy): the effects it names are gone.
      if (position >= log.next)
        throw new WeftError('E_NOT_FOUND', 'checkpoint is ahead of the event log', { reason: 'ahead' });
      this.pos = position + 1;
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next effect; calls are served one at a time, in order. */
  next(): Promise<IteratorResult<StreamEvent, undefined>> {
    const result = this.chain.then(() => this.step());
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Stops the stream: pending and later `next()` calls resolve done. */
  async return(): Promise<IteratorResult<StreamEvent, undefined>> {
    this.finish();
    return { done: true, value: undefined };
  }

  private finish(): void {
    this.done = true;
    this.buffer.length = 0;
    this.cancelWait?.();
  }

  private async step(): Promise<IteratorResult<StreamEvent, undefined>> {
    for (;;) {
      if (this.done) return { done: true, value: undefined };
      const e = this.buffer.shift();
      if (e !== undefined) return { done: false, value: e };
      if (this.log.closed) break;
      this.pos ??= await this.log.oldest();
      if (this.pos < this.log.next) {
        let batches: LoggedBatch[];
        try {
          batches = await this.log.read(this.pos);
        } catch (err) {
          if (this.log.closed || this.done) break;
          this.finish();
          throw err;
        }
        this.fill(batches);
        continue;
      }
      if (!this.live) break;
      const wait = this.log.waitForCommit();
      this.cancelWait = wait.cancel;
      await wait.promise;
      this.cancelWait = undefined;
    }
    this.finish();
    return { done: true, value: undefined };
  }

  private fill(batches: readonly LoggedBatch[]): void {
    const epoch = this.log.epoch;
    for (const b of batches) {
      const last = b.first + b.effects.length - 1;
      for (let p = Math.max(this.pos!, b.first); p <= last; p++)
        this.buffer.push({ ...b.effects[p - b.first]!, checkpoint: makeCheckpoint(epoch, p), batchEnd: p === last });
      this.pos = Math.max(this.pos!, last + 1);
    }
  }
}
