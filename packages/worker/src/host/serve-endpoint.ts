/**
 * Serves one tab's endpoint (a SharedWorker port, or a dedicated worker's scope) with comlink:
 * the host API of one connection, plus `attach` for the tab's lifetime lock (tab-lock.ts).
 */
import { expose, type Endpoint } from 'comlink';
import { toResult, type ConnectionApi, type HostApi } from '../protocol/host-api.ts';
import { checkTabLock, whenTabGone } from './tab-lock.ts';

/** Binds an API object's methods, so comlink can call them on a plain object. */
export function connectionApi(api: HostApi, onGone: (tabLock: string) => void): ConnectionApi {
  let attached = false;
  return {
    open: (r) => api.open(r),
    mutate: (n, m, i, r) => api.mutate(n, m, i, r),
    query: (n, q) => api.query(n, q),
    inspect: (n, r) => api.inspect(n, r),
    subscribe: (n, s, q) => api.subscribe(n, s, q),
    unsubscribe: (s) => api.unsubscribe(s),
    watchStatus: (n) => api.watchStatus(n),
    exportIdentity: () => api.exportIdentity(),
    redeemInvite: (n, s, l, m, sc) => api.redeemInvite(n, s, l, m, sc),
    manageKeys: (n, r) => api.manageKeys(n, r),
    setOnline: (n, o) => api.setOnline(n, o),
    watchNetwork: (n) => api.watchNetwork(n),
    sendSignal: (n, t, d) => api.sendSignal(n, t, d),
    attachPeer: (n, p, port) => api.attachPeer(n, p, port),
    openText: (n, s, c, i, f) => api.openText(n, s, c, i, f),
    closeText: (n, s) => api.closeText(n, s),
    editText: (n, s, b, e) => api.editText(n, s, b, e),
    setPresence: (n, p) => api.setPresence(n, p),
    watchPresence: (n) => api.watchPresence(n),
    attach: (tabLock) =>
      toResult(() => {
        checkTabLock(tabLock);
        if (!attached) {
          attached = true;
          whenTabGone(tabLock, () => onGone(tabLock));
        }
        return null;
      }),
  };
}

/** Exposes `api` on `endpoint`. */
export function serveEndpoint(api: ConnectionApi, endpoint: Endpoint): void {
  expose(api, endpoint);
}
