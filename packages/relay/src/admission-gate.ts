/**
 * Admission control for sync sessions: a process runs at most `maxActive` sessions that are
 * still catching up; up to `maxQueued` more authenticated connections wait their turn, each for
 * at most `timeoutMs`; anything beyond is refused at once, so the relay answers 1013 (try again
 * later) and the client comes back after a jittered backoff instead of piling onto a busy
 * process. A session gives its slot back once it has settled: a caught-up session costs little.
 *
 * Invariants:
 *  1. Slots in use never exceed `maxActive`; each ticket releases its slot at most once.
 *  2. Waiters are served first in, first out; a waiter that gave up (timed out, or its socket
 *     closed) never takes a slot.
 *  3. The queue never holds more than `maxQueued` waiters.
 */

/** One connection's place at the gate. */
export interface AdmissionTicket {
  /** Resolves `admitted` once the connection holds a slot, or `timeout` if it waited too long. */
  readonly outcome: Promise<'admitted' | 'timeout'>;
  /** Gives the slot back (admitted) or leaves the queue (waiting). Idempotent. */
  done(): void;
}

/** Counters for metrics and tests. */
export interface AdmissionStats {
  active: number;
  queued: number;
  admittedTotal: number;
  refusedTotal: number;
  timedOutTotal: number;
}

interface Waiter {
  admit(): void;
}

/** The gate of one relay process. */
export class AdmissionGate {
  readonly stats: AdmissionStats = { active: 0, queued: 0, admittedTotal: 0, refusedTotal: 0, timedOutTotal: 0 };
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly maxActive: number,
    private readonly maxQueued: number,
    private readonly timeoutMs: number,
  ) {}

  /** A ticket, admitted now or queued; `undefined` when the queue is full (refuse with 1013). */
  enter(): AdmissionTicket | undefined {
    if (this.stats.active < this.maxActive) return this.admitted();
    if (this.queue.length >= this.maxQueued) {
      this.stats.refusedTotal++;
      return undefined;
    }
    let state: 'waiting' | 'admitted' | 'gone' = 'waiting';
    let resolve!: (o: 'admitted' | 'timeout') => void;
    const outcome = new Promise<'admitted' | 'timeout'>((r) => (resolve = r));
    const leave = (): void => {
      const i = this.queue.indexOf(waiter);
      if (i >= 0) this.queue.splice(i, 1);
      this.stats.queued = this.queue.length;
      clearTimeout(timer);
    };
    const waiter: Waiter = {
      admit: () => {
        leave();
        state = 'admitted';
        this.take();
        resolve('admitted');
      },
    };
    const timer = setTimeout(() => {
      if (state !== 'waiting') return;
      state = 'gone';
      leave();
      this.stats.timedOutTotal++;
      resolve('timeout');
    }, this.timeoutMs);
    this.queue.push(waiter);
    this.stats.queued = this.queue.length;
    return {
      outcome,
      done: () => {
        if (state === 'waiting') {
          leave();
          resolve('timeout');
        } else if (state === 'admitted') this.give();
        state = 'gone';
      },
    };
  }

  private admitted(): AdmissionTicket {
    this.take();
    let held = true;
    return {
      outcome: Promise.resolve('admitted'),
      done: () => {
        if (held) this.give();
        held = false;
      },
    };
  }

  private take(): void {
    this.stats.active++;
    this.stats.admittedTotal++;
  }

  /** Frees a slot and hands it to the longest waiter. */
  private give(): void {
    this.stats.active--;
    if (this.stats.active < this.maxActive) this.queue[0]?.admit();
  }
}
