/**
 * The transport port the sync session runs over (DESIGN §8). The engine owns this interface;
 * MessagePort, WebRTC, WebSocket-relay, HTTP, in-memory and simulated channels are adapters.
 *
 * The session assumes only what every adapter can promise: whole frames (never split or merged)
 * and a single close notification. Ordering, reliability and timing are *not* assumed, because the
 * simulated network and real relays break them; the protocol is idempotent anti-entropy instead.
 */
import type { WeftError } from '../errors.ts';

/** A bidirectional, message-framed byte channel to one peer. */
export interface Transport {
  /** 'memory' | 'webrtc' | 'relay' | 'messageport' | 'http' | 'simulated' ... */
  readonly kind: string;
  /** Sends one frame. Frames sent after close are dropped silently. */
  send(frame: Uint8Array): void;
  /**
   * Installs the receiver. Frames that arrive before a handler is set are queued.
   * A later call replaces the handler. Adapters never call it synchronously from `send`.
   */
  onMessage(handler: (frame: Uint8Array) => void): void;
  /**
   * Called once when the channel closes (either side or a failure). `reason` is undefined for an
   * orderly close. A handler installed after the close still hears about it, once.
   */
  onClose(handler: (reason?: WeftError) => void): void;
  /** Closes both directions. */
  close(): void;
}
