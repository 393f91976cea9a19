/** Entry: one Weft client for the `todo` database, shared by every component. */
import 'todomvc-app-css/index.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, redeemWhenSynced, startNetworkBridge } from '@weft/worker';
import { WeftProvider } from '@weft/react';
import { WeftDevtools } from '@weft/devtools';
import { todoSchema } from './schema.ts';
import { App } from './app.tsx';

// `?db=<id>&list=<id>` (an invite link) joins someone else's database; `?relay=<url>` (or
// VITE_WEFT_RELAY, which `npm start` sets) syncs through a relay.
const params = new URLSearchParams(location.search);
const db = params.get('db') ?? undefined;
const relay = params.get('relay') ?? (import.meta.env.VITE_WEFT_RELAY as string | undefined) ?? undefined;
const client = createClient({
  name: db === undefined ? 'todo' : `todo-${db.slice(0, 16)}`,
  schema: todoSchema,
  ...(db === undefined ? {} : { db }),
  ...(relay === undefined || relay === '' ? {} : { relay }),
});
// An invite link: once its membership has synced, claim the role for this user's own key.
const invite = params.get('invite');
const invitedList = params.get('list');
if (invite !== null && invitedList !== null) {
  redeemWhenSynced(client, invite, invitedList).then(
    () => {
      params.delete('invite');
      history.replaceState(null, '', `${location.pathname}?${params.toString()}${location.hash}`);
    },
    (err: unknown) => console.error('invite refused', err),
  );
}
// With a relay, one tab also connects directly to the other users over WebRTC (the relay stays
// the fallback and the always-on peer).
if (relay !== undefined && relay !== '') startNetworkBridge(client);
// Tests and the benchmark drive the app through the same client the UI uses.
(globalThis as { weftClient?: unknown }).weftClient = client;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WeftProvider client={client}>
      <App joined={db !== undefined} invitedList={params.get('list')} />
    </WeftProvider>
    {/* Development only: the panel (and its code) is dropped from production builds. */}
    {import.meta.env.DEV ? <WeftDevtools client={client} /> : null}
  </StrictMode>,
);
