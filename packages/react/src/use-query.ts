/**
 * `useQuery(query)`: a live query as `{ data, status, error }`. A thin `useSyncExternalStore`
 * adapter over the client's shared {@link QueryObserver}: the state object and every unchanged
 * row keep their identity, so `React.memo` rows skip re-rendering.
 */
import { useMemo, useSyncExternalStore } from 'react';
import { encode, toBase64Url, type CanonicalValue, type Query, type QueryBuilder, type Row } from '@weft/engine';
import { specOf, type QueryObserver, type QueryState } from '@weft/worker';
import { useWeftClient } from './weft-provider.tsx';

/** A stable key for a query: its canonical encoding (queries are plain data). */
export function queryKey(q: Query | QueryBuilder): string {
  return toBase64Url(encode(specOf(q) as unknown as CanonicalValue));
}

/** The shared observer of `q` for this render (same observer while the query is equal). */
export function useQueryObserver<T extends Row>(q: Query | QueryBuilder): QueryObserver<T> {
  const client = useWeftClient();
  const key = queryKey(q);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the key stands for the query
  return useMemo(() => client.watch<T>(q), [client, key]);
}

/** Subscribes to a live query. */
export function useQuery<T extends Row = Row>(q: Query | QueryBuilder): QueryState<T> {
  const observer = useQueryObserver<T>(q);
  return useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
}
