/** The Peers tab: each peer's transport, state, bytes in and out, lag and last contact. */
import { useSyncExternalStore, type ReactNode } from 'react';
import type { WeftClient } from '@weft/worker';
import { short } from './format.ts';
import { styles } from './styles.ts';

function bytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

function ago(t: number | null | undefined, now: number): string {
  if (t === null || t === undefined) return '—';
  const s = Math.max(0, Math.round((now - t) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

/** The Peers tab. */
export function PeersTab({ client }: { readonly client: WeftClient }): ReactNode {
  const status = useSyncExternalStore(client.status.subscribe, client.status.getSnapshot, client.status.getSnapshot);
  const now = Date.now();
  return (
    <div style={styles.body}>
      <div style={styles.toolbar} data-sync-state={status.state}>
        sync: <b>{status.state}</b> · {status.changes} changes · {status.pending} local changes unacknowledged
      </div>
      <div style={styles.scroll}>
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <thead>
            <tr style={{ textAlign: 'left' }}>
              <th>peer</th>
              <th>transport</th>
              <th>state</th>
              <th>in</th>
              <th>out</th>
              <th>lag</th>
              <th>last seen</th>
            </tr>
          </thead>
          <tbody>
            {status.peers.map((peer) => (
              <tr key={peer.id} data-peer={peer.id} data-transport={peer.transport} data-state={peer.state}>
                <td title={peer.id}>{peer.id.startsWith('relay:') ? peer.id : short(peer.id)}</td>
                <td>{peer.transport}</td>
                <td>{peer.state}</td>
                <td>{bytes(peer.bytesIn)}</td>
                <td>{bytes(peer.bytesOut)}</td>
                <td>{peer.lag}</td>
                <td>{ago(peer.lastSeen, now)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {status.peers.length === 0 ? <div style={{ ...styles.pre, ...styles.small }}>no peers</div> : null}
      </div>
    </div>
  );
}
