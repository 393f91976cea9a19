/**
 * `useMutation(fn)`: a stable function that runs `fn` as one signed change in the host and
 * resolves with its hash once stored. Live queries show the write as soon as the host commits
 * it; a rejected write (`E_VALIDATION`, `E_PERMISSION`, `E_QUOTA`, …) changes nothing.
 */
import { useCallback, useLayoutEffect, useRef } from 'react';
import type { ChangeHash } from '@weft/engine';
import type { MutationTx } from '@weft/worker';
import { useWeftClient } from './weft-provider.tsx';

/** Returns a stable function calling `fn(tx, ...args)` inside one mutation. */
export function useMutation<S = unknown, A extends unknown[] = []>(
  fn: (tx: MutationTx<S>, ...args: A) => void,
): (...args: A) => Promise<ChangeHash> {
  const client = useWeftClient<S>();
  const latest = useRef(fn);
  useLayoutEffect(() => {
    latest.current = fn;
  });
  return useCallback((...args: A) => client.mutate((tx) => latest.current(tx, ...args)), [client]);
}
