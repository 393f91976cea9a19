/**
 * A {@link Transport} over a WebRTC data channel held by a `simple-peer` instance (DESIGN §8).
 *
 * The adapter never imports simple-peer: the page loads it lazily (with its `buffer`, `process` and
 * `events` shims), and Node tests pass one built on `@roamhq/wrtc`. Anything that fits
 * {@link SimplePeerLike} works. Both ends of a channel must use this adapter, because it frames.
 *
 * Framing. Data channels cap a message's size (about 256 KiB in Chromium and libwebrtc, 64 KiB in
 * older Firefox, and 16 KiB is the only size every implementation interoperates on), while a sync
 * frame can be a whole batch of changes. So each frame is cut into pieces of at most
 * `chunkBytes` payload, each prefixed by one byte: {@link PIECE_MORE} if more pieces of this frame
 * follow, {@link PIECE_LAST} on the frame's last piece. Data channels are reliable and ordered by
 * default (simple-peer's default), so the receiver only concatenates.
 *
 * Invariants (the {@link Transport} port's):
 *  1. Whole frames: the handler sees exactly the frames `send` was given, never pieces.
 *  2. One close notification, whoever closes and however (`close()`, the remote's destroy, an ICE
 *     failure, an oversized frame). A close handler installed later still hears it, once.
 *  3. Frames that arrive before `onMessage` are queued, and delivery is always in a later task than
 *     `send` (the channel is asynchronous).
 *  4. A frame growing past `maxFrameBytes` closes the channel with `E_TOO_LARGE` as soon as the
 *     piece that crosses the limit arrives, before anything reads it and without waiting for the
 *     rest of it.
 *
 * Backpressure. A browser data channel closes itself if its send buffer (`bufferedAmount`)
 * overflows (16 MiB in Chromium). When the peer is a stream with `write` (simple-peer is a Node
 * Duplex), pieces go through `write`: simple-peer sends while `bufferedAmount` is under 64 KiB and
 * otherwise holds the stream until the channel's `bufferedamountlow` event, so the channel never
 * overflows and the excess waits in the stream's queue (its `'drain'` event says when it emptied).
 * How much can wait there is bounded by the sync protocol itself: a session sends changes only
 * against the credit its peer granted (DESIGN §8), so a slow peer stops the sender rather than
 * growing the queue. A peer without `write` gets `send` directly (test doubles, or a future adapter
 * that does its own pacing); `bufferedBytes()` exposes `bufferSize` for callers that want to
 * watch it.
 */
import { TransportEnds, WeftError, type Transport } from '@weft/engine';

/** The parts of a simple-peer instance this adapter uses. */
export interface SimplePeerLike {
  /** Sends one data-channel message (simple-peer throws if the channel is not open yet). */
  send(data: Uint8Array): void;
  /**
   * Optional stream write (simple-peer is a Duplex). When present, the adapter uses it instead of
   * `send`: it waits for the channel to open and honours the channel's `bufferedAmount`.
   */
  write?(data: Uint8Array): boolean;
  /** Closes the connection; the remote sees its channel close. */
  destroy(error?: Error): void;
  /** Bytes queued in the data channel (simple-peer's `bufferSize` = `bufferedAmount`). */
  readonly bufferSize?: number;
  on(event: 'data', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** Options for {@link simplePeerTransport}. */
export interface SimplePeerTransportOptions {
  /** Transport kind reported to status displays (default `webrtc`). */
  readonly kind?: string;
  /** Largest frame accepted from the remote, after reassembly (default 4 MiB). */
  readonly maxFrameBytes?: number;
  /** Largest payload per data-channel message, header excluded (default 16 KiB). */
  readonly chunkBytes?: number;
}

/** The transport plus what a status display may want from the channel. */
export interface SimplePeerTransport extends Transport {
  /** Bytes waiting in the data channel's send buffer, if the peer reports it. */
  bufferedBytes(): number;
}

/** Default {@link SimplePeerTransportOptions.maxFrameBytes} (the same as the socket transport). */
export const DEFAULT_WEBRTC_FRAME_BYTES = 4 * 1024 * 1024;
/** Default {@link SimplePeerTransportOptions.chunkBytes}: the size every data channel carries. */
export const DEFAULT_WEBRTC_CHUNK_BYTES = 16 * 1024;
/** Piece header: this is the last piece of its frame. */
export const PIECE_LAST = 0;
/** Piece header: more pieces of this frame follow. */
export const PIECE_MORE = 1;

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data; // Buffer (Node and the browser shim) included
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Wraps a simple-peer connection (open, or about to open when it has `write`) as a transport. */
export function simplePeerTransport(
  peer: SimplePeerLike,
  options: SimplePeerTransportOptions = {},
): SimplePeerTransport {
  const max = options.maxFrameBytes ?? DEFAULT_WEBRTC_FRAME_BYTES;
  const chunk = options.chunkBytes ?? DEFAULT_WEBRTC_CHUNK_BYTES;
  if (!(chunk >= 1)) throw new WeftError('E_INVALID_ARGUMENT', `chunkBytes must be at least 1, got ${chunk}`);
  const ends = new TransportEnds();
  // Pieces of the frame being reassembled.
  let pieces: Uint8Array[] = [];
  let pieceBytes = 0;

  const finish = (reason: WeftError | undefined): boolean => {
    if (ends.closed) return false;
    pieces = [];
    ends.dropQueued();
    return ends.finish(reason);
  };
  /** Closes from our side: record the reason first, so the peer's 'close' cannot overwrite it. */
  const shut = (reason: WeftError | undefined): void => {
    if (finish(reason)) peer.destroy();
  };

  peer.on('data', (data) => {
    if (ends.closed) return;
    const bytes = toBytes(data);
    if (bytes === undefined || bytes.length === 0 || bytes[0]! > PIECE_MORE) {
      shut(new WeftError('E_PROTOCOL', 'data channel message is not a framed piece'));
      return;
    }
    const body = bytes.subarray(1);
    if (pieceBytes + body.length > max) {
      shut(new WeftError('E_TOO_LARGE', `frame of more than ${pieceBytes + body.length} bytes exceeds ${max}`));
      return;
    }
    if (bytes[0] === PIECE_MORE) {
      pieces.push(body.slice()); // the channel may reuse its buffer
      pieceBytes += body.length;
      return;
    }
    let frame: Uint8Array;
    if (pieces.length === 0) {
      frame = new Uint8Array(body); // a plain Uint8Array copy, not a Buffer view
    } else {
      frame = new Uint8Array(pieceBytes + body.length);
      let o = 0;
      for (const p of pieces) {
        frame.set(p, o);
        o += p.length;
      }
      frame.set(body, o);
      pieces = [];
      pieceBytes = 0;
    }
    ends.deliver(frame);
  });
  peer.on('close', () => finish(undefined));
  peer.on('error', (error) => finish(new WeftError('E_CLOSED', `data channel error: ${describe(error)}`)));

  const sendPiece = (piece: Uint8Array): void => {
    if (peer.write !== undefined) peer.write(piece);
    else peer.send(piece);
  };

  return {
    kind: options.kind ?? 'webrtc',
    send(frame) {
      if (ends.closed) return;
      try {
        let o = 0;
        do {
          const n = Math.min(chunk, frame.length - o);
          const piece = new Uint8Array(n + 1);
          piece[0] = o + n < frame.length ? PIECE_MORE : PIECE_LAST;
          piece.set(frame.subarray(o, o + n), 1);
          sendPiece(piece);
          o += n;
        } while (o < frame.length);
      } catch (error) {
        // A channel that is closing throws from send; half a frame must not be followed by more.
        shut(new WeftError('E_CLOSED', `data channel send failed: ${describe(error)}`));
      }
    },
    onMessage: (h) => ends.onMessage(h),
    onClose: (h) => ends.onClose(h),
    close() {
      shut(undefined);
    },
    bufferedBytes() {
      return peer.bufferSize ?? 0;
    },
  };
}
