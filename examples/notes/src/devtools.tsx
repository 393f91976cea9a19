/** The Weft devtools panel, in development only (it renders nothing in production builds). */
import type { WeftClient } from '@weft/worker';
import { WeftDevtools } from '@weft/devtools';

export function Devtools({ client }: { client: WeftClient<unknown> }) {
  return import.meta.env.DEV ? <WeftDevtools client={client} /> : null;
}
