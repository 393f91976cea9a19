/**
 * `npm start`: local relays (./weft-data, port 8787 for the todo example and 8788 for notes) and
 * the examples (Vite, port 5173), all on 127.0.0.1, with the examples told where their relay is.
 * A relay enforces one app's schema, so each example has its own. Prints the URLs; Ctrl-C stops all.
 */
import { resolve } from 'node:path';
import { createServer } from 'vite';
import { NOTES_SCHEMA, TODO_SCHEMA, startRelayProcess } from '../e2e/support/relay-process.ts';

const repo = resolve(import.meta.dirname, '..');
// The relay enforces the todo example's schema, rules included, like every replica.
const relay = await startRelayProcess(resolve(repo, 'weft-data'), Number(process.env.WEFT_RELAY_PORT ?? 8787), [
  '--schema',
  TODO_SCHEMA,
]);
process.env.VITE_WEFT_RELAY = relay.url;
const notesRelay = await startRelayProcess(
  resolve(repo, 'weft-data', 'notes'),
  Number(process.env.WEFT_NOTES_RELAY_PORT ?? 8788),
  ['--schema', NOTES_SCHEMA],
);
process.env.VITE_WEFT_NOTES_RELAY = notesRelay.url;
const vite = await createServer({ configFile: resolve(repo, 'vite.config.ts') });
await vite.listen();
const base = vite.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
console.log(`
  Weft is running
  ➜ Todo example:  ${base}todo/
  ➜ Notes example: ${base}notes/  (relay ${notesRelay.url}/)
  ➜ All examples:  ${base}
  ➜ Relay:         ${relay.url}/  (status page; data in ./weft-data)
`);
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await vite.close();
  await relay.stop('SIGTERM');
  await notesRelay.stop('SIGTERM');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
