/**
 * `useInspect(client, request, refresh)`: one inspect request's answer, re-asked when the
 * request or `refresh` changes. Stale answers (an older request finishing late) are dropped.
 */
import { useEffect, useState, useSyncExternalStore } from 'react';
import { toWeftError, type InspectRequest, type InspectResponseOf, type WeftError } from '@weft/engine';
import type { WeftClient } from '@weft/worker';

/** The state of one inspect request. */
export interface InspectState<T> {
  readonly data: T | undefined;
  readonly error: WeftError | undefined;
}

/** Answers `request` (null: nothing to ask yet). */
export function useInspect<R extends InspectRequest>(
  client: WeftClient,
  request: R | null,
  refresh: number,
): InspectState<InspectResponseOf<R>> {
  const [state, setState] = useState<InspectState<InspectResponseOf<R>>>({ data: undefined, error: undefined });
  const key = request === null ? '' : JSON.stringify(request);
  useEffect(() => {
    if (request === null) return;
    let live = true;
    client.inspect(request).then(
      (data) => live && setState({ data, error: undefined }),
      (err: unknown) => live && setState({ data: undefined, error: toWeftError(err) }),
    );
    return () => {
      live = false;
    };
    // `key` stands for `request`: callers build a new object each render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, key, refresh]);
  return state;
}

/**
 * A number that changes whenever the host reports a new change count: the panel re-asks its
 * questions then (the status push follows every committed batch).
 */
export function useChangeCount(client: WeftClient): number {
  return useSyncExternalStore(
    client.status.subscribe,
    () => client.status.getSnapshot().changes,
    () => client.status.getSnapshot().changes,
  );
}
