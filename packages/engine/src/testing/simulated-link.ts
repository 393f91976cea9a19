/**
 * The pieces of the simulated network (`simulated-network.ts`) that are not the scheduler: the endpoint transports a
 * link hands out, and the (time, sequence) queue the scheduler keeps frames and timers in.
 * Internal to the testing kit; not exported from its index.
 */
import type { WeftError } from '../errors.ts';
import type { Transport } from '../sync/transport.ts';

/** One connection between two nodes; closing it closes both ends. */
export interface Link {
  readonly a: SimEnd;
  readonly b: SimEnd;
  closed: boolean;
}

/** Something scheduled at a virtual time; `seq` breaks ties in creation order. */
export interface Scheduled {
  readonly at: number;
  readonly seq: number;
}

/** A binary min-heap on (at, seq): earliest first, ties in creation order. */
export class TimeQueue<T extends Scheduled> {
  private readonly items: T[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): T | undefined {
    return this.items[0];
  }
  push(item: T): void {
    const h = this.items;
    h.push(item);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || last === undefined) return top;
    h[0] = last;
    for (let i = 0; ;) {
      const l = 2 * i + 1;
      const m = l + 1 < h.length && before(h[l + 1]!, h[l]!) ? l + 1 : l;
      if (m >= h.length || !before(h[m]!, h[i]!)) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}

function before(x: Scheduled, y: Scheduled): boolean {
  return x.at !== y.at ? x.at < y.at : x.seq < y.seq;
}

/** What an endpoint needs from its network. */
export interface Wire {
  transmit(from: SimEnd, bytes: Uint8Array): void;
  closeLink(link: Link, reason: WeftError | undefined): void;
}

/** One side of a simulated link, as the node at `local` sees it. */
export class SimEnd implements Transport {
  readonly kind = 'simulated';
  link: Link | undefined;
  private handler: ((frame: Uint8Array) => void) | undefined;
  private closeHandler: ((reason?: WeftError) => void) | undefined;
  private backlog: Uint8Array[] = [];
  private closed = false;
  private closeNotified = false;
  private closeReason: WeftError | undefined;

  constructor(
    private readonly wire: Wire,
    readonly local: string,
    readonly remote: string,
  ) {}

  send(frame: Uint8Array): void {
    if (!this.closed) this.wire.transmit(this, frame.slice());
  }

  onMessage(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
    if (this.backlog.length > 0) void Promise.resolve().then(() => this.drainBacklog());
  }

  onClose(handler: (reason?: WeftError) => void): void {
    this.closeHandler = handler;
    if (this.closed) this.notifyClose();
  }

  close(): void {
    if (this.link !== undefined) this.wire.closeLink(this.link, undefined);
  }

  receive(bytes: Uint8Array): void {
    // While a backlog waits to be drained, newer frames queue behind it to keep the order.
    if (this.handler !== undefined && this.backlog.length === 0) this.handler(bytes);
    else this.backlog.push(bytes);
  }

  private drainBacklog(): void {
    while (this.handler !== undefined && !this.closed && this.backlog.length > 0) this.handler(this.backlog.shift()!);
  }

  shut(reason: WeftError | undefined): void {
    this.closed = true;
    this.closeReason = reason;
    this.backlog = [];
    this.notifyClose();
  }

  private notifyClose(): void {
    const handler = this.closeHandler;
    if (this.closeNotified || handler === undefined) return;
    this.closeNotified = true;
    const reason = this.closeReason;
    void Promise.resolve().then(() => handler(reason));
  }
}
