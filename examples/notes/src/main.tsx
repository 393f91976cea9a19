/** Entry: one Weft client for the notes database, shared by every component. */
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient, redeemWhenSynced, startNetworkBridge } from '@weft/worker';
import { WeftProvider } from '@weft/react';
import { notesSchema } from './schema.ts';
import { App } from './app.tsx';
import { Devtools } from './devtools.tsx';

// `?db=<id>&nb=<notebook>&invite=<secret>` (an invite link) joins someone else's database;
// `?relay=<url>` (or VITE_WEFT_NOTES_RELAY / VITE_WEFT_RELAY) syncs through a relay.
// `?encrypted=1` creates the database end-to-end encrypted (its own local name, so a clear one
// already in this browser is not reused); invitees learn it from the database itself.
const params = new URLSearchParams(location.search);
const db = params.get('db') ?? undefined;
const encrypted = db === undefined && params.get('encrypted') === '1';
const env = import.meta.env as Record<string, string | undefined>;
const relay = params.get('relay') ?? env.VITE_WEFT_NOTES_RELAY ?? env.VITE_WEFT_RELAY ?? undefined;
const client = createClient({
  name: db === undefined ? (encrypted ? 'notes-encrypted' : 'notes') : `notes-${db.slice(0, 16)}`,
  schema: notesSchema,
  ...(encrypted ? { encrypted } : {}),
  ...(db === undefined ? {} : { db }),
  ...(relay === undefined || relay === '' ? {} : { relay }),
});
// An invite link: once its membership has synced, claim the role for this user's own key.
const invite = params.get('invite');
const invited = params.get('nb');
if (invite !== null && invited !== null) {
  redeemWhenSynced(client, invite, invited, { scopeField: 'notebook' }).then(
    () => {
      params.delete('invite');
      history.replaceState(null, '', `${location.pathname}?${params.toString()}${location.hash}`);
    },
    (err: unknown) => console.error('invite refused', err),
  );
}
// With a relay, one tab also connects directly to the other users over WebRTC.
if (relay !== undefined && relay !== '') startNetworkBridge(client);
// Tests drive the app through the same client the UI uses (dev and test builds only).
if (import.meta.env.DEV) (globalThis as { __weft?: unknown }).__weft = { client };
(globalThis as { weftClient?: unknown }).weftClient = client;

void client.ready.then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <WeftProvider client={client}>
        <App />
        <Devtools client={client} />
      </WeftProvider>
    </StrictMode>,
  ),
);
