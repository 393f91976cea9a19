/** The sync/peer indicator: state, peers with their transport, and local changes not yet acknowledged. */
import { usePeers, useSyncStatus } from '@weft/react';

export function SyncIndicator() {
  const status = useSyncStatus();
  const peers = usePeers();
  const label =
    status.state === 'local'
      ? 'Local only'
      : status.state === 'online'
        ? `Online · ${peers.length} peer(s)`
        : 'Offline';
  return (
    <span className="weft-sync" data-state={status.state} data-peers={peers.length} title={`${status.changes} changes`}>
      {label}
      {status.pending > 0 && status.state !== 'local' ? ` · ${status.pending} pending` : ''}
      {peers.map((p) => (
        <span key={p.id} className="weft-peer" data-transport={p.transport}>
          {' '}
          {p.transport}
        </span>
      ))}
    </span>
  );
}
