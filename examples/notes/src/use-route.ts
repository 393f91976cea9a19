/** Routing: `#/<notebook>/<note>` (either may be missing). */
import { useSyncExternalStore } from 'react';

/** The selected notebook and note. */
export interface Route {
  readonly notebook: string | null;
  readonly note: string | null;
}

let cached: { hash: string; route: Route } = { hash: '', route: { notebook: null, note: null } };

function read(): Route {
  if (cached.hash === location.hash) return cached.route;
  const [nb, note] = location.hash.replace(/^#\/?/, '').split('/');
  cached = { hash: location.hash, route: { notebook: nb || null, note: note || null } };
  return cached.route;
}

function subscribe(cb: () => void): () => void {
  addEventListener('hashchange', cb);
  return () => removeEventListener('hashchange', cb);
}

/** The current route. */
export function useRoute(): Route {
  return useSyncExternalStore(subscribe, read, read);
}

/** Navigates to a notebook (and note). */
export function go(notebook: string | null, note: string | null = null): void {
  location.hash = notebook === null ? '#/' : `#/${notebook}${note === null ? '' : `/${note}`}`;
}
