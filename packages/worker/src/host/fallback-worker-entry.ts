/**
 * The fallback host where SharedWorker is missing: one dedicated worker per tab. The workers
 * elect a leader with a Web Lock; the leader opens IndexedDB and hosts the engine, the others
 * forward their tab's calls to it over a BroadcastChannel (bus-forwarder.ts). When the leader's
 * tab closes, its lock frees, the next worker in the lock queue takes over, announces itself,
 * and every follower replays its session and unanswered requests to it.
 *
 * Invariant: every call from this worker's tab goes through its {@link BusForwarder}, so the
 * routing (bus or local) switches in one place and no call is dropped in the switch.
 */
import { expose } from 'comlink';
import { WeftError } from '@weft/engine';
import { toResult, type ConnectionApi, type HostApi, type Push } from '../protocol/host-api.ts';
import { EngineHost } from './engine-host.ts';
import { BusForwarder } from './bus-forwarder.ts';
import { BUS, LEADER_LOCK, type BusMessage } from './bus-protocol.ts';
import { BusServer } from './bus-server.ts';
import { checkTabLock } from './tab-lock.ts';

/** The parts of a dedicated worker's global scope used here (the DOM lib lacks the type). */
interface WorkerScope {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
}

const scope = self as unknown as WorkerScope;
const bus = new BroadcastChannel(BUS);
const pushToTab = (p: Push, transfer: Transferable[] = []): void => scope.postMessage(p, transfer);
let forwarder: BusForwarder | undefined;
let server: BusServer | undefined;

bus.onmessage = (e: MessageEvent<BusMessage>) => {
  if (server !== undefined) server.handle(e.data);
  else forwarder?.handle(e.data);
};

function becomeLeader(fwd: BusForwarder): Promise<never> {
  const host = new EngineHost();
  server = new BusServer(host, bus);
  fwd.replay(host.connect(pushToTab));
  bus.postMessage({ k: 'leader', id: 'leader' } satisfies BusMessage);
  // This tab may now own the WebRTC connections: its worker can take their ports.
  pushToTab({ weft: 'leader' });
  // Hold the lock for the worker's lifetime: it frees when the tab closes.
  return new Promise<never>(() => undefined);
}

function call(m: keyof HostApi, a: readonly unknown[]): Promise<never> {
  if (forwarder === undefined) throw new WeftError('E_CLOSED', 'attach first');
  return forwarder.call(m, a) as Promise<never>;
}

const api: ConnectionApi = {
  open: (r) => call('open', [r]),
  mutate: (n, m, i, r) => call('mutate', [n, m, i, r]),
  query: (n, q) => call('query', [n, q]),
  inspect: (n, r) => call('inspect', [n, r]),
  subscribe: (n, s, q) => call('subscribe', [n, s, q]),
  unsubscribe: (s) => call('unsubscribe', [s]),
  watchStatus: (n) => call('watchStatus', [n]),
  exportIdentity: () => call('exportIdentity', []),
  redeemInvite: (n, s, l, m, sc) => call('redeemInvite', [n, s, l, m, sc]),
  manageKeys: (n, r) => call('manageKeys', [n, r]),
  setOnline: (n, o) => call('setOnline', [n, o]),
  watchNetwork: (n) => call('watchNetwork', [n]),
  sendSignal: (n, t, d) => call('sendSignal', [n, t, d]),
  openText: (n, s, c, i, f) => call('openText', [n, s, c, i, f]),
  closeText: (n, s) => call('closeText', [n, s]),
  editText: (n, s, b, e) => call('editText', [n, s, b, e]),
  setPresence: (n, p) => call('setPresence', [n, p]),
  watchPresence: (n) => call('watchPresence', [n]),
  // A MessagePort cannot cross the leader bus: only the leader's own tab attaches peers.
  attachPeer: (n, p, port) =>
    forwarder === undefined
      ? Promise.resolve({ ok: false, error: new WeftError('E_CLOSED', 'attach first').toData() })
      : forwarder.attachPeerLocally(n, p, port),
  attach: (tabLock) =>
    toResult(() => {
      checkTabLock(tabLock);
      if (forwarder === undefined) {
        const fwd = new BusForwarder(tabLock, bus, (p) => pushToTab(p));
        forwarder = fwd;
        void navigator.locks.request(LEADER_LOCK, () => becomeLeader(fwd));
      }
      return null;
    }),
};

expose(api, scope as unknown as Worker);
