/** `useText(collection, id, field)`: a `text` field, live, editable through the host. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { TextObserver, TextState } from '@weft/worker';
import { useWeftClient } from './weft-provider.tsx';

const LOADING: TextState = { ready: false, text: '', error: undefined };
const noSubscribe = (): (() => void) => () => undefined;
const loading = (): TextState => LOADING;

/**
 * The live text of `collection/id.field` and its observer (null until it is acquired). Edit
 * through `observer.edit(...)`: edits are versioned and transformed by the host, so they land
 * where they were made while remote edits arrive (text-observer.ts in @weft/worker).
 */
export function useText(
  collection: string,
  id: string,
  field: string,
): { readonly state: TextState; readonly observer: TextObserver | null } {
  const client = useWeftClient();
  const [observer, setObserver] = useState<TextObserver | null>(null);
  useEffect(() => {
    // Acquired in an effect, not during render: StrictMode renders twice but commits once.
    const handle = client.text(collection, id, field);
    setObserver(handle.observer);
    return () => {
      handle.release();
      setObserver(null);
    };
  }, [client, collection, id, field]);
  const state = useSyncExternalStore(
    observer?.subscribe ?? noSubscribe,
    observer?.getSnapshot ?? loading,
    observer?.getSnapshot ?? loading,
  );
  return { state, observer };
}
