/** `usePresence()`: everyone else in the database, live (other tabs and other users). */
import { useSyncExternalStore } from 'react';
import type { PresencePeer } from '@weft/worker';
import { useWeftClient } from './weft-provider.tsx';

/** The others present, with their cursors resolved for this host; set your own with `client.presence.set`. */
export function usePresence(): readonly PresencePeer[] {
  const { presence } = useWeftClient();
  return useSyncExternalStore(presence.subscribe, presence.getSnapshot, presence.getSnapshot);
}
