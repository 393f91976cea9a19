/**
 * A {@link Transport} over a WebSocket: the browser's `WebSocket` and Node's `ws` both fit
 * {@link SocketLike}. Binary frames carry the sync protocol; text frames are control messages
 * (relay auth, signaling) and go to `onControl`, never to the session.
 *
 * Invariants:
 *  1. One close notification, whoever closes and however (close frame, error, `close()`).
 *  2. A binary frame larger than `maxFrameBytes` closes the socket with `E_TOO_LARGE` before
 *     anything reads it.
 *  3. Frames are delivered in a later task than `send`, as the port requires (sockets are async).
 */
import { WeftError } from '../errors.ts';
import type { Transport } from './transport.ts';
import { TransportEnds } from './transport-ends.ts';

/** The parts of a WebSocket this adapter uses. */
export interface SocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array | string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', listener: (e: { readonly data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (e: { readonly code: number; readonly reason: string }) => void): void;
  addEventListener(type: 'error', listener: (e: unknown) => void): void;
  addEventListener(type: 'open', listener: (e: unknown) => void): void;
}

/** WebSocket `readyState` values. */
export const SOCKET_OPEN = 1;

/** Options for {@link socketTransport}. */
export interface SocketTransportOptions {
  /** Transport kind reported to status displays (default `relay`). */
  readonly kind?: string;
  /** Largest binary frame accepted (default 4 MiB). */
  readonly maxFrameBytes?: number;
  /** Receives text frames (control messages). */
  readonly onControl?: (text: string) => void;
}

/** Default {@link SocketTransportOptions.maxFrameBytes}. */
export const DEFAULT_SOCKET_FRAME_BYTES = 4 * 1024 * 1024;

/** Close code for a frame over the limit (RFC 6455 "message too big"). */
export const CLOSE_TOO_BIG = 1009;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((d) => d instanceof Uint8Array)) {
    // ws may hand over fragmented messages as a list of buffers.
    const parts = data as Uint8Array[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
  return undefined;
}

/** Wraps an open socket as a transport. */
export function socketTransport(socket: SocketLike, options: SocketTransportOptions = {}): Transport {
  const max = options.maxFrameBytes ?? DEFAULT_SOCKET_FRAME_BYTES;
  const ends = new TransportEnds();
  const finish = (reason: WeftError | undefined): void => void ends.finish(reason);
  socket.binaryType = 'arraybuffer';

  socket.addEventListener('message', (e) => {
    if (ends.closed) return;
    if (typeof e.data === 'string') {
      options.onControl?.(e.data);
      return;
    }
    const bytes = toBytes(e.data);
    if (bytes === undefined) return;
    if (bytes.length > max) {
      finish(new WeftError('E_TOO_LARGE', `frame of ${bytes.length} bytes exceeds ${max}`));
      socket.close(CLOSE_TOO_BIG, 'frame too large');
      return;
    }
    ends.deliver(bytes);
  });
  socket.addEventListener('close', (e) => {
    finish(
      e.code === 1000 || e.code === 1001
        ? undefined
        : new WeftError('E_CLOSED', `socket closed (${e.code} ${e.reason})`),
    );
  });
  socket.addEventListener('error', () => finish(new WeftError('E_CLOSED', 'socket error')));

  return {
    kind: options.kind ?? 'relay',
    send(frame) {
      if (ends.closed || socket.readyState !== SOCKET_OPEN) return;
      socket.send(frame);
    },
    onMessage: (h) => ends.onMessage(h),
    onClose: (h) => ends.onClose(h),
    close() {
      finish(undefined);
      socket.close(1000, 'done');
    },
  };
}
