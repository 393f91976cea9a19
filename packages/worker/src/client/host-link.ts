/**
 * The tab's link to its host: comlink over a MessagePort (the SharedWorker's port, or the
 * dedicated worker's own channel in the fallback), plus the push messages that share it.
 */
import { wrap, releaseProxy, type Remote } from 'comlink';
import { isPush, type ConnectionApi, type Push } from '../protocol/host-api.ts';

/** A connected host. */
export interface HostLink {
  readonly api: Remote<ConnectionApi>;
  /** Which host this is. */
  readonly kind: 'shared' | 'dedicated' | 'custom';
  onPush(listener: (p: Push) => void): () => void;
  close(): void;
}

type PortLike = MessagePort | Worker;

/** Links over any port-like endpoint; `dispose` ends the endpoint on close. */
export function linkEndpoint(endpoint: PortLike, kind: HostLink['kind'], dispose: () => void): HostLink {
  const listeners = new Set<(p: Push) => void>();
  endpoint.addEventListener('message', (e: Event) => {
    const data: unknown = (e as MessageEvent).data;
    if (!isPush(data)) return;
    for (const l of listeners) l(data);
  });
  const api = wrap<ConnectionApi>(endpoint);
  return {
    api,
    kind,
    onPush(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      api[releaseProxy]();
      dispose();
    },
  };
}

/** The origin's SharedWorker host. */
export function connectSharedWorker(): HostLink {
  const worker = new SharedWorker(new URL('../host/shared-worker-entry.ts', import.meta.url), {
    type: 'module',
    name: 'weft',
  });
  worker.port.start();
  return linkEndpoint(worker.port, 'shared', () => worker.port.close());
}

/** This tab's dedicated worker, for browsers without SharedWorker (leader election inside). */
export function connectDedicatedWorker(): HostLink {
  const worker = new Worker(new URL('../host/fallback-worker-entry.ts', import.meta.url), {
    type: 'module',
    name: 'weft',
  });
  return linkEndpoint(worker, 'dedicated', () => worker.terminate());
}

/** The SharedWorker where the browser has one, else the dedicated-worker fallback. */
export function connectHost(): HostLink {
  return typeof SharedWorker === 'function' ? connectSharedWorker() : connectDedicatedWorker();
}
