/**
 * The network tab: `RTCPeerConnection` exists only in pages, so one tab per database, elected
 * with the Web Lock `weft-network:<name>`, opens WebRTC connections (simple-peer, loaded lazily)
 * to the other users in the relay's room and pipes each data channel to the worker over a
 * MessagePort. When that tab closes its lock frees, the next tab takes over and reconnects.
 * Without SharedWorker (the dedicated-worker fallback) only the tab whose worker is the leader
 * host bids, since a port cannot be forwarded to another tab's worker.
 *
 * Invariants:
 *  1. Per pair of users, the one with the smaller author id initiates; the other answers the
 *     first signal it receives. So two peers never both dial each other.
 *  2. A connection that is not up within `connectTimeoutMs` (ICE failed or timed out) is
 *     dropped and retried with jittered exponential backoff; meanwhile the relay link keeps
 *     syncing (the fallback), and a later success upgrades back to WebRTC.
 *  3. Signaling travels through the relay, which authenticated both ends by their keys and
 *     routes by author id.
 */
import { PORT_CLOSE } from '../transport/message-port-peer.ts';
import type { SimplePeerLike } from '../transport/simple-peer-transport.ts';
import type { NetPush } from '../protocol/host-api.ts';
import type { WeftClient } from './weft-client.ts';

/** The parts of a browser simple-peer the bridge uses. */
export interface BrowserPeer extends SimplePeerLike {
  signal(data: unknown): void;
  on(event: 'signal', listener: (data: unknown) => void): unknown;
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'data', listener: (data: unknown) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/** simple-peer's constructor. */
export type PeerConstructor = new (options: {
  initiator: boolean;
  trickle: boolean;
  config: { iceServers: readonly unknown[] };
}) => BrowserPeer;

/** Options for {@link startNetworkBridge}. */
export interface NetworkBridgeOptions {
  /** Loads simple-peer (default: its self-contained browser bundle, on first use). */
  readonly loadPeer?: () => Promise<PeerConstructor>;
  /** ICE servers (default none: direct host candidates only). */
  readonly iceServers?: readonly unknown[];
  readonly connectTimeoutMs?: number;
  readonly minRetryMs?: number;
  readonly maxRetryMs?: number;
}

/** A running bridge. */
export interface NetworkBridge {
  /** False where the page has no WebRTC or no Web Locks: the relay does all the syncing. */
  readonly supported: boolean;
  stop(): void;
}

const defaultLoad = async (): Promise<PeerConstructor> =>
  (await import('simple-peer/simplepeer.min.js')).default as PeerConstructor;

interface Conn {
  readonly peer: BrowserPeer;
  port: MessagePort | undefined;
  connected: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Starts this tab's bid to be the network tab of `client`'s database. */
export function startNetworkBridge(client: WeftClient<unknown>, options: NetworkBridgeOptions = {}): NetworkBridge {
  const g = globalThis as { RTCPeerConnection?: unknown; navigator?: { locks?: LockManager } };
  const locks = g.navigator?.locks;
  if (typeof g.RTCPeerConnection !== 'function' || locks === undefined)
    return { supported: false, stop: () => undefined };
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let isStopped = false;
  void stopped.then(() => (isStopped = true));
  const timeout = options.connectTimeoutMs ?? 10_000;
  const minRetry = options.minRetryMs ?? 1_000;
  const maxRetry = options.maxRetryMs ?? 60_000;

  // Without SharedWorker only the leader's tab can hand ports to the host, so it alone bids;
  // when it closes, the next leader's tab bids (both locks free with the tab).
  const bid = (): Promise<unknown> =>
    locks.request(`weft-network:${client.name}`, async () => {
      if (isStopped) return;
      const Peer = await (options.loadPeer ?? defaultLoad)();
      const me = (await client.ready).author;
      const conns = new Map<string, Conn>();
      const attempts = new Map<string, number>();
      const retryTimers = new Map<string, ReturnType<typeof setTimeout>>();
      let room = new Set<string>();

      const open = (id: string, initiator: boolean): Conn => {
        const peer = new Peer({ initiator, trickle: true, config: { iceServers: [...(options.iceServers ?? [])] } });
        const c: Conn = { peer, port: undefined, connected: false, timer: undefined };
        conns.set(id, c);
        peer.on('signal', (data) => void client.sendSignal(id, data).catch(() => undefined));
        peer.on('connect', () => {
          c.connected = true;
          if (c.timer !== undefined) clearTimeout(c.timer);
          attempts.delete(id);
          const { port1, port2 } = new MessageChannel();
          c.port = port1;
          peer.on('data', (d) => port1.postMessage(d));
          port1.onmessage = (e: MessageEvent) => {
            if (e.data === PORT_CLOSE) peer.destroy();
            else if (peer.write !== undefined) peer.write(e.data as Uint8Array);
            else peer.send(e.data as Uint8Array);
          };
          void client.attachPeer(id, port2).catch(() => peer.destroy());
        });
        const end = (): void => {
          if (conns.get(id) !== c) return;
          conns.delete(id);
          if (c.timer !== undefined) clearTimeout(c.timer);
          c.port?.postMessage(PORT_CLOSE);
          c.port?.close();
          if (initiator) retry(id);
        };
        peer.on('close', end);
        peer.on('error', end);
        // Invariant 2: ICE that does not finish in time falls back to the relay, for now.
        c.timer = setTimeout(() => {
          if (!c.connected) peer.destroy();
        }, timeout);
        return c;
      };

      const retry = (id: string): void => {
        if (isStopped || !room.has(id) || retryTimers.has(id)) return;
        const n = attempts.get(id) ?? 0;
        attempts.set(id, n + 1);
        const delay = Math.min(maxRetry, minRetry * 2 ** n);
        retryTimers.set(
          id,
          setTimeout(
            () => {
              retryTimers.delete(id);
              if (!isStopped && room.has(id) && !conns.has(id)) open(id, true);
            },
            delay / 2 + Math.random() * (delay / 2),
          ),
        );
      };

      const onNet = (p: NetPush): void => {
        if (isStopped) return;
        if (p.kind === 'peers') {
          room = new Set(p.peers.filter((id) => id !== me));
          for (const id of room) if (me < id && !conns.has(id) && !retryTimers.has(id)) open(id, true);
          for (const [id, c] of conns) if (!room.has(id)) c.peer.destroy();
        } else {
          // Invariant 1: the larger id answers the first signal of a pair.
          const c = conns.get(p.from) ?? (me > p.from ? open(p.from, false) : undefined);
          c?.peer.signal(p.data);
        }
      };
      const unwatch = await client.watchNetwork(onNet);
      await stopped;
      unwatch();
      for (const t of retryTimers.values()) clearTimeout(t);
      for (const c of conns.values()) c.peer.destroy();
    });
  void client.whenLeading().then(bid);
  return { supported: true, stop };
}
