/** Entry: one Weft client for the `todo` database, shared by every component. */
import 'todomvc-app-css/index.css';
import './app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from '@weft/worker';
import { WeftProvider } from '@weft/react';
import { todoSchema } from './schema.ts';
import { App } from './app.tsx';

const client = createClient({ name: 'todo', schema: todoSchema });
// Tests and the benchmark drive the app through the same client the UI uses.
(globalThis as { weftClient?: unknown }).weftClient = client;

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <WeftProvider client={client}>
      <App />
    </WeftProvider>
  </StrictMode>,
);
