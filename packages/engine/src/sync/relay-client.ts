/**
 * A replica's link to a relay: open a socket, answer the challenge, run a sync session with the
 * relay's persistent peer, and reconnect with jittered exponential backoff whenever the socket
 * drops. Pure: the socket comes from `openSocket`, so the browser's WebSocket and Node's `ws`
 * both work.
 *
 * Invariants:
 *  1. At most one socket at a time; `close()` stops reconnecting for good.
 *  2. Backoff doubles from `minDelayMs` to `maxDelayMs` and each wait is drawn uniformly from
 *     [delay/2, delay] (jitter), so clients that lost the relay together do not return together.
 *     A session that reached `ready` resets the backoff. With `initialJitterMs`, the very first
 *     attempt also waits a uniform [0, initialJitterMs): a crowd of clients started together
 *     (a relay restart, a network coming back) spreads its first connects instead of arriving
 *     in one burst.
 *  3. Status changes are reported through `onStatus`; bytes and lag come from the live session.
 */
import type { WeftError } from '../errors.ts';
import type { Identity } from '../crypto/identity.ts';
import type { Replica } from '../replica/replica.ts';
import { answerChallenge, parseControl } from './relay-auth.ts';
import { socketTransport, type SocketLike } from './socket-transport.ts';
import type { SyncOptions, SyncSession } from './session.ts';
import { host } from '../host.ts';

/** What a relay link reports. */
export interface RelayLinkStatus {
  readonly state: 'connecting' | 'syncing' | 'synced' | 'closed';
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly lag: number;
  /** This replica's own changes the relay has not acknowledged. */
  readonly pending: number;
  /** Attempts since the last successful session. */
  readonly attempt: number;
  /** Other peers the relay reports in the room. */
  readonly peers: readonly string[];
  readonly error: string | null;
}

/** Options for {@link connectRelay}. */
export interface RelayLinkOptions {
  readonly replica: Replica;
  readonly identity: Identity;
  /** WebSocket URL of the database, e.g. `ws://127.0.0.1:8787/v1/db/<id>/sync`. */
  readonly url: string;
  readonly openSocket: (url: string) => SocketLike;
  readonly onStatus?: (s: RelayLinkStatus) => void;
  /** A signaling message from another peer of the room (WebRTC offers, answers, candidates). */
  readonly onSignal?: (from: string, data: unknown) => void;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Delays the first attempt by a uniform [0, initialJitterMs) (default 0: connect at once). */
  readonly initialJitterMs?: number;
  readonly random?: () => number;
  /** Options for each session with the relay (e.g. a presence sink). */
  readonly sync?: SyncOptions;
}

/** A live relay link. */
export interface RelayLink {
  readonly status: RelayLinkStatus;
  /** Sends a signaling message to peer `to` through the relay; false when not connected. */
  signal(to: string, data: unknown): boolean;
  /** The device went offline: drop the socket and stop retrying until {@link resume}. */
  pause(): void;
  /** Back online: reconnect at once, with a fresh backoff. */
  resume(): void;
  close(): void;
}

/** The WebSocket URL of `db` on the relay at `base` (http(s) or ws(s)). */
export function relaySyncUrl(base: string, db: string): string {
  return `${base.replace(/^http/, 'ws').replace(/\/$/, '')}/v1/db/${db}/sync`;
}

/** Connects `replica` to a relay and keeps it connected. */
export function connectRelay(options: RelayLinkOptions): RelayLink {
  const min = options.minDelayMs ?? 250;
  const max = options.maxDelayMs ?? 30_000;
  const rand = options.random ?? Math.random;
  let stopped = false;
  let paused = false;
  let attempt = 0;
  let socket: SocketLike | undefined;
  let session: SyncSession | undefined;
  let timer: ReturnType<typeof host.setTimeout> | undefined;
  let poll: ReturnType<typeof host.setTimeout> | undefined;
  let status: RelayLinkStatus = {
    state: 'connecting',
    bytesIn: 0,
    bytesOut: 0,
    lag: 0,
    pending: 0,
    attempt: 0,
    peers: [],
    error: null,
  };

  const report = (patch: Partial<RelayLinkStatus>): void => {
    const s = session?.stats;
    status = {
      ...status,
      ...(s === undefined
        ? { pending: options.replica.versionVector()[options.identity.author] ?? 0 }
        : {
            bytesIn: s.bytesIn,
            bytesOut: s.bytesOut,
            lag: session!.lag,
            pending: session!.unacked(options.identity.author),
          }),
      attempt,
      ...patch,
    };
    options.onStatus?.(status);
  };

  const schedule = (): void => {
    if (stopped || paused) return;
    const delay = Math.min(max, min * 2 ** Math.min(attempt, 20));
    attempt++;
    timer = host.setTimeout(open, delay / 2 + rand() * (delay / 2));
  };

  const watch = (): void => {
    // Session state has no events; sample it for the status display.
    poll = host.setTimeout(() => {
      if (session === undefined || stopped) return;
      report({ state: session.settled ? 'synced' : 'syncing' });
      watch();
    }, 250);
  };

  function open(): void {
    if (stopped || paused || socket !== undefined) return;
    report({ state: 'connecting' });
    let s: SocketLike;
    try {
      s = options.openSocket(options.url);
    } catch (err) {
      report({ error: String(err) });
      schedule();
      return;
    }
    socket = s;
    let ready = false;
    s.binaryType = 'arraybuffer';
    s.addEventListener('message', (e) => {
      if (typeof e.data !== 'string' || socket !== s) return;
      let msg;
      try {
        msg = parseControl(e.data);
      } catch (err) {
        report({ error: (err as WeftError).message });
        s.close(1002, 'bad control message');
        return;
      }
      if (msg.t === 'challenge' && !ready) {
        void answerChallenge(options.identity, options.replica.dbId, msg).then((a) => s.send(JSON.stringify(a)));
      } else if (msg.t === 'ready' && !ready) {
        ready = true;
        attempt = 0;
        const transport = socketTransport(s, { kind: 'relay' });
        session = options.replica.sync(transport, options.sync);
        report({ state: 'syncing', peers: msg.peers, error: null });
        watch();
      } else if (msg.t === 'peers') report({ peers: msg.peers });
      else if (msg.t === 'signal' && ready && typeof msg.from === 'string') options.onSignal?.(msg.from, msg.data);
    });
    s.addEventListener('close', (e) => {
      if (socket !== s) return;
      socket = undefined;
      session?.close();
      session = undefined;
      if (poll !== undefined) host.clearTimeout(poll);
      report({
        state: stopped ? 'closed' : 'connecting',
        error: stopped ? null : paused ? 'offline' : `closed (${e.code} ${e.reason})`,
      });
      schedule();
    });
    s.addEventListener('error', () => undefined);
  }

  const firstWait = (options.initialJitterMs ?? 0) * rand();
  if (firstWait > 0) timer = host.setTimeout(open, firstWait);
  else open();
  return {
    get status() {
      return status;
    },
    signal(to, data) {
      if (socket === undefined || session === undefined) return false;
      socket.send(JSON.stringify({ t: 'signal', to, data }));
      return true;
    },
    pause() {
      if (stopped || paused) return;
      paused = true;
      if (timer !== undefined) host.clearTimeout(timer);
      if (poll !== undefined) host.clearTimeout(poll);
      // Forget the socket first, so its close event does not schedule a reconnect.
      const s = socket;
      socket = undefined;
      session?.close();
      session = undefined;
      s?.close(1000, 'offline');
      report({ state: 'connecting', error: 'offline' });
    },
    resume() {
      if (stopped || !paused) return;
      paused = false;
      attempt = 0;
      if (timer !== undefined) host.clearTimeout(timer);
      open();
    },
    close() {
      stopped = true;
      if (timer !== undefined) host.clearTimeout(timer);
      if (poll !== undefined) host.clearTimeout(poll);
      session?.close();
      socket?.close(1000, 'client closed');
      report({ state: 'closed' });
    },
  };
}
