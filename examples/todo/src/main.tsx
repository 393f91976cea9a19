/** Entry: one Weft client for the `todo` database, shared by every component. */
import 'todomvc-app-css/index.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '@weft/worker';
import { WeftProvider } from '@weft/react';
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
// Tests and the benchmark drive the app through the same client the UI uses.
(globalThis as { weftClient?: unknown }).weftClient = client;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WeftProvider client={client}>
      <App joined={db !== undefined} invitedList={params.get('list')} />
    </WeftProvider>
  </StrictMode>,
);
