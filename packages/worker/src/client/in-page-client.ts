/**
 * A client talking to an {@link EngineHost} in the same thread, over a MessageChannel with the
 * real comlink endpoint and pushes: for tests, and for pages that host the engine themselves
 * (e.g. a page where workers are unavailable). Everything crosses the channel exactly as it
 * would cross to a SharedWorker, so behaviour matches the production path.
 */
import type { EngineHost, HostConnection } from '../host/engine-host.ts';
import { connectionApi, serveEndpoint } from '../host/serve-endpoint.ts';
import { linkEndpoint } from './host-link.ts';
import { WeftClient, type ClientOptions } from './weft-client.ts';

/** A connected in-page client and the host connection serving it. */
export interface InPageClient<S> {
  readonly client: WeftClient<S>;
  readonly conn: HostConnection;
}

/** Connects a new client (a "tab") to `host`; closing the client closes its port. */
export function connectInPage<S>(host: EngineHost, options: ClientOptions<S>): InPageClient<S> {
  const { port1, port2 } = new MessageChannel();
  const conn = host.connect((p, t) => port2.postMessage(p, t));
  serveEndpoint(
    connectionApi(conn, () => conn.close()),
    port2,
  );
  port1.start();
  const client = new WeftClient<S>(
    options,
    linkEndpoint(port1, 'custom', () => port1.close()),
  );
  return { client, conn };
}
