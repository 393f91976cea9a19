/** `<WeftProvider client>`: makes a {@link WeftClient} available to the hooks below it. */
import { createContext, useContext, type ReactNode } from 'react';
import { WeftError } from '@weft/engine';
import type { WeftClient } from '@weft/worker';

const ClientContext = createContext<WeftClient<unknown> | null>(null);

/** Props of {@link WeftProvider}. */
export interface WeftProviderProps {
  readonly client: WeftClient<unknown>;
  readonly children?: ReactNode;
}

/** Supplies `client` to every Weft hook in `children`. */
export function WeftProvider({ client, children }: WeftProviderProps): ReactNode {
  return <ClientContext.Provider value={client}>{children}</ClientContext.Provider>;
}

/** The client of the nearest {@link WeftProvider}; throws `E_INVALID_ARGUMENT` outside one. */
export function useWeftClient<S = unknown>(): WeftClient<S> {
  const client = useContext(ClientContext);
  if (client === null)
    throw new WeftError('E_INVALID_ARGUMENT', 'Weft hooks need a <WeftProvider client={…}> above them');
  return client as WeftClient<S>;
}
