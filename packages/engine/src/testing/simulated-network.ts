/**
 * A deterministic simulated network for convergence tests (DESIGN §12): it drops, duplicates,
 * delays, reorders and partitions frames, all decided by one seeded {@link Rng}, and runs on a
 * virtual clock whose timers the sessions use for their retries.
 *
 * Invariants:
 *  1. Same seed and same receiver behaviour → same deliveries, same timer firings, same stats.
 *     This holds while receivers' async work is promise-based (microtasks: the noble crypto
 *     adapter, the memory store); real I/O would race the scheduler.
 *  2. Nothing is delivered inside `send`; frames move only in {@link SimulatedNetwork.step}.
 *  3. Virtual time moves only when nothing is deliverable and every receiver has settled, so a
 *     retry timer never fires while the reply it waits for is still being computed.
 */
import { WeftError } from '../errors.ts';
import { host } from '../host.ts';
import type { Transport } from '../sync/transport.ts';
import type { Rng } from './random.ts';
import { SimEnd, TimeQueue, type Link, type Scheduled, type Wire } from './simulated-link.ts';

/** Fault rates of a {@link SimulatedNetwork}. Probabilities are per frame, in [0, 1]. */
export interface SimulatedNetworkOptions {
  /** Probability a sent frame is lost. */
  readonly drop?: number;
  /** Probability a sent frame is delivered twice. */
  readonly duplicate?: number;
  /** Probability a delivery picks a random deliverable frame instead of the oldest. */
  readonly reorder?: number;
  /** Each frame gets a uniform virtual latency in [0, maxDelay] ms (which also reorders). Default 0. */
  readonly maxDelay?: number;
  /** Microtask turns granted to receivers after each delivery or timer. Default 10. */
  readonly flushTurns?: number;
}

/** Frame counters of a {@link SimulatedNetwork}. */
export interface NetworkStats {
  /** Frames accepted by `send` on an open transport (duplicates not counted). */
  readonly sent: number;
  /** Frames handed to a receiving transport. */
  readonly delivered: number;
  /** Frames lost: random drops, partitions, and frames in flight when their link closed. */
  readonly dropped: number;
  /** Extra copies created by duplication. */
  readonly duplicated: number;
  /** Frames still in flight. */
  readonly pending: number;
}

function probability(name: string, p: number | undefined): number {
  const v = p ?? 0;
  if (!(v >= 0 && v <= 1)) throw new WeftError('E_INVALID_ARGUMENT', `${name} must be a probability, got ${p}`);
  return v;
}

interface Frame extends Scheduled {
  readonly to: SimEnd;
  readonly bytes: Uint8Array;
}

interface Timer extends Scheduled {
  readonly cb: () => void;
  cancelled: boolean;
}

/** Yields to the macrotask queue, which only runs once every pending microtask has run. */
function macrotask(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  return new Promise((resolve) => (g.setImmediate ? g.setImmediate(resolve) : host.setTimeout(resolve, 0)));
}

/** A seeded, virtual-time network of named nodes. See the module comment for its guarantees. */
export class SimulatedNetwork {
  private readonly drop: number;
  private readonly duplicate: number;
  private readonly reorder: number;
  private readonly maxDelay: number;
  private readonly flushTurns: number;
  private clock = 0;
  private seq = 0;
  /** Deliverable frames, oldest first, from `head` on (a queue without O(n) shifts). */
  private ready: Frame[] = [];
  private head = 0;
  private readonly delayed = new TimeQueue<Frame>();
  private readonly timers = new TimeQueue<Timer>();
  private readonly links: Link[] = [];
  private groupOf: Map<string, number> | undefined;
  private counts = { sent: 0, delivered: 0, dropped: 0, duplicated: 0 };

  /** A network whose every random choice comes from `rng`. */
  constructor(
    private readonly rng: Rng,
    options: SimulatedNetworkOptions = {},
  ) {
    this.drop = probability('drop', options.drop);
    this.duplicate = probability('duplicate', options.duplicate);
    this.reorder = probability('reorder', options.reorder);
    this.maxDelay = Math.max(0, Math.floor(options.maxDelay ?? 0));
    this.flushTurns = Math.max(0, Math.floor(options.flushTurns ?? 10));
  }

  /** A new link between nodes `a` and `b`: the transport `a` holds, and the one `b` holds. */
  connect(a: string, b: string): [Transport, Transport] {
    if (a === b) throw new WeftError('E_INVALID_ARGUMENT', `cannot connect node "${a}" to itself`);
    const wire: Wire = {
      transmit: (from, bytes) => this.transmit(from, bytes),
      closeLink: (link, reason) => this.closeLink(link, reason),
    };
    const link: Link = { a: new SimEnd(wire, a, b), b: new SimEnd(wire, b, a), closed: false };
    link.a.link = link;
    link.b.link = link;
    this.links.push(link);
    return [link.a, link.b];
  }

  /** Closes every open link between `a` and `b`; both sides hear `onClose` with `E_CLOSED`. */
  disconnect(a: string, b: string): void {
    for (const link of this.links) {
      const { local, remote } = link.a;
      if ((local === a && remote === b) || (local === b && remote === a))
        this.closeLink(link, new WeftError('E_CLOSED', `simulated network disconnected ${a} and ${b}`));
    }
  }

  /**
   * Splits the nodes into groups that cannot reach each other: frames between groups are dropped,
   * including those already in flight. A node listed in no group is cut off from everyone.
   */
  partition(groups: readonly (readonly string[])[]): void {
    const groupOf = new Map<string, number>();
    groups.forEach((group, i) => {
      for (const node of group) {
        if (groupOf.has(node)) throw new WeftError('E_INVALID_ARGUMENT', `node "${node}" is in two groups`);
        groupOf.set(node, i);
      }
    });
    this.groupOf = groupOf;
  }

  /** Ends any partition. Frames dropped during it stay lost. */
  heal(): void {
    this.groupOf = undefined;
  }

  /** Current counters. */
  stats(): NetworkStats {
    return { ...this.counts, pending: this.ready.length - this.head + this.delayed.size };
  }

  /** Virtual milliseconds since the network was created. */
  now(): number {
    return this.clock;
  }

  /** Calls `cb` once virtual time reaches now + `ms`; returns a cancel function. */
  setTimer(ms: number, cb: () => void): () => void {
    const timer: Timer = { at: this.clock + (ms > 0 ? ms : 0), seq: this.seq++, cb, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /**
   * Handles one deliverable frame, chosen per the reorder probability, otherwise the oldest: it is
   * delivered, or dropped if its link has closed or a partition now separates its ends. Returns
   * false when nothing is deliverable at the current virtual time. Never moves time.
   */
  step(): boolean {
    for (let f = this.delayed.peek(); f !== undefined && f.at <= this.clock; f = this.delayed.peek())
      this.ready.push(this.delayed.pop()!);
    const n = this.ready.length - this.head;
    if (n === 0) return false;
    let frame: Frame;
    if (this.reorder > 0 && n > 1 && this.rng.bool(this.reorder)) {
      frame = this.ready.splice(this.head + this.rng.int(n), 1)[0]!;
    } else {
      frame = this.ready[this.head++]!;
      if (this.head > 1024 && this.head * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.head);
        this.head = 0;
      }
    }
    const to = frame.to;
    if (to.link!.closed || !this.reachable(to.remote, to.local)) this.counts.dropped++;
    else {
      this.counts.delivered++;
      to.receive(frame.bytes);
    }
    return true;
  }

  /**
   * Delivers frames and fires timers (jumping virtual time to the next one whenever nothing is
   * deliverable) until no frame is in flight and no timer is pending. Returns the number of steps
   * (deliveries plus timer firings). Throws `E_INTERNAL` after `maxSteps`, which means a livelock
   * or a session that retries forever, e.g. across a partition; use {@link runFor} for those.
   */
  async runUntilQuiet(maxSteps = 1_000_000): Promise<number> {
    return this.run(Infinity, maxSteps);
  }

  /** Like {@link runUntilQuiet}, but stops once virtual time would pass now + `ms` (and sets it there). */
  async runFor(ms: number, maxSteps = 1_000_000): Promise<number> {
    return this.run(this.clock + Math.max(0, ms), maxSteps);
  }

  /**
   * Moves virtual time forward by `ms`, firing due timers in order and settling after each.
   * Frames that fall due are not delivered until the next `step` or run. Returns timers fired.
   */
  async advance(ms: number): Promise<number> {
    const deadline = this.clock + Math.max(0, ms);
    let fired = 0;
    while (this.fireTimer(deadline)) {
      fired++;
      await this.settle();
    }
    this.clock = deadline;
    return fired;
  }

  /** Lets every receiver finish what it started: resolves after all pending microtasks have run. */
  settle(): Promise<void> {
    return macrotask();
  }

  private async run(deadline: number, maxSteps: number): Promise<number> {
    let steps = 0;
    for (;;) {
      if (steps >= maxSteps)
        throw new WeftError('E_INTERNAL', `simulated network still busy after ${maxSteps} steps`, {
          ...this.stats(),
          virtualTime: this.clock,
        });
      if (this.step()) {
        steps++;
        for (let i = 0; i < this.flushTurns; i++) await Promise.resolve();
        continue;
      }
      await this.settle();
      if (this.ready.length > this.head) continue;
      const next = Math.min(this.delayed.peek()?.at ?? Infinity, this.nextTimer()?.at ?? Infinity);
      if (next > deadline || next === Infinity) {
        if (deadline !== Infinity) this.clock = Math.max(this.clock, deadline);
        return steps;
      }
      this.clock = Math.max(this.clock, next);
      if (this.fireTimer(this.clock)) {
        steps++;
        for (let i = 0; i < this.flushTurns; i++) await Promise.resolve();
      }
    }
  }

  private nextTimer(): Timer | undefined {
    let t = this.timers.peek();
    while (t?.cancelled === true) {
      this.timers.pop();
      t = this.timers.peek();
    }
    return t;
  }

  /** Fires the earliest timer if it is due by `limit`, moving the clock to its time. */
  private fireTimer(limit: number): boolean {
    const t = this.nextTimer();
    if (t === undefined || t.at > limit) return false;
    this.timers.pop();
    this.clock = Math.max(this.clock, t.at);
    t.cb();
    return true;
  }

  private reachable(a: string, b: string): boolean {
    const groups = this.groupOf;
    if (groups === undefined) return true;
    const g = groups.get(a);
    return g !== undefined && g === groups.get(b);
  }

  private transmit(from: SimEnd, bytes: Uint8Array): void {
    this.counts.sent++;
    // Draw only for enabled faults, so turning one on does not reshuffle the others' streams.
    if (!this.reachable(from.local, from.remote) || (this.drop > 0 && this.rng.bool(this.drop))) {
      this.counts.dropped++;
      return;
    }
    const to = from === from.link!.a ? from.link!.b : from.link!.a;
    this.enqueue(to, bytes);
    if (this.duplicate > 0 && this.rng.bool(this.duplicate)) {
      this.counts.duplicated++;
      this.enqueue(to, bytes.slice());
    }
  }

  private enqueue(to: SimEnd, bytes: Uint8Array): void {
    const delay = this.maxDelay > 0 ? this.rng.int(this.maxDelay + 1) : 0;
    const frame: Frame = { at: this.clock + delay, seq: this.seq++, to, bytes };
    if (delay === 0) this.ready.push(frame);
    else this.delayed.push(frame);
  }

  private closeLink(link: Link, reason: WeftError | undefined): void {
    if (link.closed) return;
    // Frames still in flight are dropped lazily, when `step` reaches them.
    link.closed = true;
    link.a.shut(reason);
    link.b.shut(reason);
  }
}
