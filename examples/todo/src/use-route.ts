/** TodoMVC routing: `#/`, `#/active`, `#/completed`. */
import { useSyncExternalStore } from 'react';

/** Which todos to show. */
export type Filter = 'all' | 'active' | 'completed';

function read(): Filter {
  const h = location.hash;
  return h === '#/active' ? 'active' : h === '#/completed' ? 'completed' : 'all';
}

function subscribe(cb: () => void): () => void {
  addEventListener('hashchange', cb);
  return () => removeEventListener('hashchange', cb);
}

/** The current filter, from the location hash. */
export function useRoute(): Filter {
  return useSyncExternalStore(subscribe, read, read);
}
