/** `useSyncStatus()` and `usePeers()`: the host's sync state, live. */
import { useSyncExternalStore } from 'react';
import type { PeerStatus, SyncStatus } from '@weft/worker';
import { useWeftClient } from './weft-provider.tsx';

/** The database's sync status: state, change count, pending local changes, peers. */
export function useSyncStatus(): SyncStatus {
  const { status } = useWeftClient();
  return useSyncExternalStore(status.subscribe, status.getSnapshot, status.getSnapshot);
}

/** The connected peers, with transport, state, bytes and lag. */
export function usePeers(): readonly PeerStatus[] {
  return useSyncStatus().peers;
}
