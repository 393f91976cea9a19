/**
 * The receiving end every transport adapter needs: frames that arrive before `onMessage` wait in
 * order, and the close is reported exactly once, with its reason, to a handler installed before
 * or after it (the {@link Transport} port's guarantees). Adapters own only their channel.
 */
import type { WeftError } from '../errors.ts';

/** Inbox and close bookkeeping of one transport. */
export class TransportEnds {
  private handler: ((frame: Uint8Array) => void) | undefined;
  private readonly queued: Uint8Array[] = [];
  private closeHandler: ((reason?: WeftError) => void) | undefined;
  private closedWith: { readonly reason: WeftError | undefined } | undefined;
  private notified = false;

  /** True once {@link finish} ran. */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Hands a frame to the handler, or queues it until there is one; dropped once closed. */
  deliver(frame: Uint8Array): void {
    if (this.closedWith !== undefined) return;
    if (this.handler === undefined) this.queued.push(frame);
    else this.handler(frame);
  }

  /** The port's `onMessage`: replaces the handler and drains the queue into it. */
  onMessage(h: (frame: Uint8Array) => void): void {
    this.handler = h;
    while (this.queued.length > 0 && this.handler === h) h(this.queued.shift()!);
  }

  /** The port's `onClose`. */
  onClose(h: (reason?: WeftError) => void): void {
    this.closeHandler = h;
    this.notify();
  }

  /** Records the close (the first reason wins); returns true for the first call. */
  finish(reason: WeftError | undefined): boolean {
    if (this.closedWith !== undefined) return false;
    this.closedWith = { reason };
    this.notify();
    return true;
  }

  /** Drops frames still waiting for a handler (an adapter whose close discards them). */
  dropQueued(): void {
    this.queued.length = 0;
  }

  private notify(): void {
    if (this.closedWith === undefined || this.closeHandler === undefined || this.notified) return;
    this.notified = true;
    this.closeHandler(this.closedWith.reason);
  }
}
