/**
 * The SharedWorker: one {@link EngineHost} for every tab of the origin. Each tab's port gets
 * its own connection; pushes (live query diffs, status) share the port with comlink, and diff
 * buffers are transferred, not copied.
 */
import { EngineHost } from './engine-host.ts';
import { connectionApi, serveEndpoint } from './serve-endpoint.ts';

const host = new EngineHost();

(self as unknown as { onconnect: (e: MessageEvent) => void }).onconnect = (e: MessageEvent) => {
  const port = e.ports[0]!;
  const conn = host.connect((push, transfer) => port.postMessage(push, transfer));
  serveEndpoint(
    connectionApi(conn, () => {
      conn.close();
      port.close();
    }),
    port,
  );
};
