/** `useDoc(collection, id)`: one document, live. */
import { query, type Row } from '@weft/engine';
import type { QueryState } from '@weft/worker';
import { useQuery } from './use-query.ts';

/** The state of one doc: `data` is the row, or null when it does not exist (or is deleted). */
export interface DocState<T> {
  readonly data: T | null | undefined;
  readonly status: QueryState<T>['status'];
  readonly error: QueryState<T>['error'];
}

/** Subscribes to the document `id` of `collection`. */
export function useDoc<T extends Row = Row>(collection: string, id: string): DocState<T> {
  const state = useQuery<T>(query(collection).where('id', '==', id).limit(1));
  return {
    data: state.data === undefined ? undefined : (state.data[0] ?? null),
    status: state.status,
    error: state.error,
  };
}
