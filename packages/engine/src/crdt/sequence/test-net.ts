/**
 * Test-only: a simulated network of replicas of one sequence. Every local op becomes a message
 * carrying its causal dependencies; messages are delivered in random causal order, each through
 * the canonical encoding, the way the engine would carry them in signed changes.
 */
import { decode, encode } from '../../encoding/canonical.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import { type SeqOp, insertCount } from './op.ts';
import type { Rng } from './test-random.ts';

interface Message {
  readonly from: number;
  readonly index: number;
  readonly deps: readonly number[];
  readonly bytes: Uint8Array;
  readonly counterStart: number;
}

/** How a test drives its sequence type. */
export interface Driver<S> {
  make(): S;
  apply(s: S, op: unknown, agent: string, counterStart: number): void;
}

/** A replica: its state, author name and change counters. */
export interface Peer<S> {
  state: S;
  readonly agent: string;
  seq: number;
  k: number;
  /** Messages applied per origin replica (own ones included). */
  readonly applied: number[];
}

/** The simulated network. */
export class Network<S> {
  readonly peers: Peer<S>[];
  private readonly log: Message[][];

  constructor(
    private readonly driver: Driver<S>,
    n: number,
    private readonly rng: Rng,
  ) {
    this.peers = Array.from({ length: n }, (_, i) => ({
      state: driver.make(),
      agent: `${String.fromCharCode(97 + i)}`.repeat(64).slice(0, 64),
      seq: 0,
      k: CHANGE_STRIDE,
      applied: new Array<number>(n).fill(0),
    }));
    this.log = this.peers.map(() => []);
  }

  /** Runs a local edit at peer `i`; `edit` gets the author and counter and returns the op. */
  local(i: number, edit: (s: S, agent: string, counterStart: number) => SeqOp | null): void {
    const p = this.peers[i]!;
    if (p.k >= CHANGE_STRIDE / 2 || this.rng.chance(0.5)) {
      p.seq++;
      p.k = 0;
    }
    const counterStart = p.seq * CHANGE_STRIDE + p.k;
    const op = edit(p.state, p.agent, counterStart);
    if (op === null) return;
    p.k += insertCount(op);
    const log = this.log[i]!;
    log.push({ from: i, index: log.length, deps: [...p.applied], bytes: encode(op), counterStart });
    p.applied[i]!++;
  }

  private deliverable(to: number): Message | undefined {
    const p = this.peers[to]!;
    const options: Message[] = [];
    this.log.forEach((log, from) => {
      const m = log[p.applied[from]!];
      if (m !== undefined && from !== to && m.deps.every((d, j) => j === from || p.applied[j]! >= d)) options.push(m);
    });
    return options.length === 0 ? undefined : this.rng.pick(options);
  }

  /** Delivers one random deliverable message to a random peer; false when none is pending there. */
  deliverOne(): boolean {
    const to = this.rng.int(this.peers.length);
    const m = this.deliverable(to);
    if (m === undefined) return false;
    const p = this.peers[to]!;
    this.driver.apply(p.state, decode(m.bytes), this.peers[m.from]!.agent, m.counterStart);
    p.applied[m.from]!++;
    return true;
  }

  /** A fresh state of `driver` that applied every message so far, in a deterministic causal order. */
  replayAll<T>(driver: Driver<T>): T {
    const state = driver.make();
    const applied = new Array<number>(this.peers.length).fill(0);
    for (let progress = true; progress;) {
      progress = false;
      this.log.forEach((log, from) => {
        const m = log[applied[from]!];
        if (m === undefined || !m.deps.every((d, j) => j === from || applied[j]! >= d)) return;
        driver.apply(state, decode(m.bytes), this.peers[from]!.agent, m.counterStart);
        applied[from]!++;
        progress = true;
      });
    }
    return state;
  }

  /** Delivers everything, in random causal order. */
  deliverAll(): void {
    for (;;) {
      let progress = false;
      for (let i = 0; i < this.peers.length * 4; i++) progress = this.deliverOne() || progress;
      if (!progress && this.peers.every((_, i) => this.deliverable(i) === undefined)) return;
    }
  }
}
