/** `useSuspenseQuery(query)`: the rows of a live query, suspending until the first result. */
import type { Query, QueryBuilder, Row } from '@weft/engine';
import { useQuery, useQueryObserver } from './use-query.ts';

/** Like {@link useQuery}, but suspends while loading and throws the error to an error boundary. */
export function useSuspenseQuery<T extends Row = Row>(q: Query | QueryBuilder): readonly T[] {
  const observer = useQueryObserver<T>(q);
  const state = useQuery<T>(q);
  if (state.status === 'error') throw state.error!;
  if (state.data === undefined) {
    // A pending promise suspends; the subscription it starts outlives this render attempt.
    throw observer.whenSettled();
  }
  return state.data;
}
