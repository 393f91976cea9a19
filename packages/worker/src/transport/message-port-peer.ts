/**
 * The worker's end of a WebRTC data channel that lives in a page. `RTCPeerConnection` exists only
 * in pages, so the network tab pipes each channel's raw messages over a MessagePort; this wraps
 * that port as a {@link SimplePeerLike}, so the worker runs the same framed transport
 * (simple-peer-transport.ts) as a direct peer would. The string {@link PORT_CLOSE} travels
 * either way to say the channel is gone (MessagePorts have no reliable close event).
 */
import type { SimplePeerLike } from './simple-peer-transport.ts';

/** Sent over the port when either side closes. */
export const PORT_CLOSE = 'weft:close';

/** Wraps a port whose other end pipes a data channel. */
export function messagePortPeer(port: MessagePort): SimplePeerLike {
  const on = {
    data: [] as ((d: unknown) => void)[],
    close: [] as (() => void)[],
    error: [] as ((e: unknown) => void)[],
  };
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    port.close();
    for (const l of on.close) l();
  };
  port.onmessage = (e: MessageEvent) => {
    if (e.data === PORT_CLOSE) close();
    else if (!closed) for (const l of on.data) l(e.data);
  };
  port.start();
  return {
    send(data) {
      if (!closed) port.postMessage(data);
    },
    destroy() {
      if (closed) return;
      port.postMessage(PORT_CLOSE);
      close();
    },
    on(event: 'data' | 'close' | 'error', listener: never) {
      (on[event] as unknown[]).push(listener);
      return this;
    },
  };
}
