/**
 * An in-process {@link Transport} pair: reliable, ordered, asynchronous. Used by unit tests and
 * anywhere two engines share a heap.
 *
 * Invariants:
 *  1. Delivery never happens inside `send`: frames are handed over in a later microtask, so a
 *     handler that replies cannot re-enter the sender's stack.
 *  2. Each frame is copied on send, so neither side can mutate what the other holds.
 *  3. Frames sent before `close()` reach the peer before its close notification; nothing is
 *     delivered after it.
 */
import type { WeftError } from '../errors.ts';
import type { Transport } from './transport.ts';

type CloseHandler = (reason?: WeftError) => void;

class MemoryEnd implements Transport {
  readonly kind = 'memory';
  peer: MemoryEnd | undefined;
  private handler: ((frame: Uint8Array) => void) | undefined;
  private closeHandler: CloseHandler | undefined;
  private inbox: Uint8Array[] = [];
  private flushScheduled = false;
  /** No more sends from here, nothing more delivered here. */
  private closed = false;
  /** The peer closed: deliver what is already in the inbox, then close. */
  private peerClosed = false;
  private closeNotified = false;

  send(frame: Uint8Array): void {
    if (this.closed || this.peerClosed) return;
    this.peer?.enqueue(frame.slice());
  }

  onMessage(handler: (frame: Uint8Array) => void): void {
    this.handler = handler;
    if (this.inbox.length > 0) this.scheduleFlush();
  }

  onClose(handler: CloseHandler): void {
    this.closeHandler = handler;
    if (this.closed) this.notifyClose();
  }

  close(): void {
    if (this.closed) return;
    this.finishClose();
    this.peer?.remoteClosed();
  }

  private enqueue(frame: Uint8Array): void {
    if (this.closed) return;
    this.inbox.push(frame);
    if (this.handler !== undefined) this.scheduleFlush();
  }

  private remoteClosed(): void {
    if (this.closed) return;
    this.peerClosed = true;
    // Goes through the same flush as frames, so it lands after everything sent before it.
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    void Promise.resolve().then(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    let firstError: unknown;
    let failed = false;
    if (this.handler !== undefined) {
      // Frames that arrive while this batch runs get their own flush, after it.
      const batch = this.inbox;
      this.inbox = [];
      for (const frame of batch) {
        if (this.closed) break; // the handler closed us mid-batch
        try {
          this.handler(frame);
        } catch (err) {
          // Keep delivering: one bad frame must not stall the channel. Surface the error after.
          if (!failed) firstError = err;
          failed = true;
        }
      }
    }
    // Without a handler the queued frames can never be read; the close still has to be heard.
    if (this.peerClosed && !this.closed) this.finishClose();
    if (failed) throw firstError;
  }

  private finishClose(): void {
    this.closed = true;
    this.inbox = [];
    this.notifyClose();
  }

  private notifyClose(): void {
    const handler = this.closeHandler;
    if (this.closeNotified || handler === undefined) return;
    this.closeNotified = true;
    void Promise.resolve().then(() => handler(undefined));
  }
}

/**
 * Two connected in-memory transports: what one sends, the other receives, in order, in a later
 * microtask. Closing either end closes both.
 */
export function createMemoryTransportPair(): [Transport, Transport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
