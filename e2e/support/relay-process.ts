/**
 * A real relay process for e2e tests and benchmarks: the relay package's own process starter
 * (its binary `weft-relay` on 127.0.0.1 with a fresh data directory, stopped by its PID), with
 * the port before the extra arguments, and the example apps' schemas for `--schema`.
 */
import { resolve } from 'node:path';
import {
  startRelayProcess as startRelay,
  type RelayProcess,
} from '../../packages/relay/src/relay-process.test-support.ts';

export type { RelayProcess };

/** The todo example's schema, for relays that enforce its rules (`--schema`). */
export const TODO_SCHEMA = resolve(import.meta.dirname, '../../examples/todo/src/schema.ts');
/** The notes example's schema (`--schema`), for relays serving the notes app. */
export const NOTES_SCHEMA = resolve(import.meta.dirname, '../../examples/notes/src/schema.ts');

/** Starts `weft-relay --port <port> --data <dataDir> [extra]`; resolves once it listens. */
export function startRelayProcess(dataDir: string, port = 0, extra: readonly string[] = []): Promise<RelayProcess> {
  return startRelay(dataDir, extra, port);
}
