/**
 * @weft/react: React bindings for Weft. Every hook is a thin `useSyncExternalStore` adapter over
 * an observer from @weft/worker that lives outside React.
 */
export { WeftProvider, useWeftClient, type WeftProviderProps } from './weft-provider.tsx';
export { useQuery, useQueryObserver, queryKey } from './use-query.ts';
export { useSuspenseQuery } from './use-suspense-query.ts';
export { useDoc, type DocState } from './use-doc.ts';
export { useMutation } from './use-mutation.ts';
export { useSyncStatus, usePeers } from './use-sync-status.ts';
export { useText } from './use-text.ts';
export { usePresence } from './use-presence.ts';
