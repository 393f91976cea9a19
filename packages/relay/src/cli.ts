/**
 * `weft-relay [--port N] [--host H] [--data DIR] [--allow DBID]... [--limit NAME=N]...`: starts a
 * relay and prints its URL; SIGTERM or SIGINT closes every socket and flushes storage before
 * exiting. Every limit of `RelayLimits` can be set with `--limit` (e.g. `--limit maxConnections=500`).
 */
import { startRelay, type Relay } from './relay-server.ts';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relay-options.ts';

const USAGE = 'usage: weft-relay [--port N] [--host H] [--data DIR] [--allow DBID]... [--limit NAME=N]...';

function parse(argv: string[]): {
  port: number;
  host: string;
  dataDir: string;
  allow: string[];
  limits: Partial<RelayLimits>;
} {
  const limits: Record<string, number> = {};
  const out = {
    port: Number(process.env.WEFT_RELAY_PORT ?? 8787),
    host: process.env.WEFT_RELAY_HOST ?? '127.0.0.1',
    dataDir: process.env.WEFT_RELAY_DATA ?? 'weft-data',
    allow: [] as string[],
    limits: limits as Partial<RelayLimits>,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v !== undefined) out.port = Number(argv[++i]);
    else if (a === '--host' && v !== undefined) out.host = argv[++i]!;
    else if (a === '--data' && v !== undefined) out.dataDir = argv[++i]!;
    else if (a === '--allow' && v !== undefined) out.allow.push(argv[++i]!);
    else if (a === '--limit' && v !== undefined) {
      const [name, value] = argv[++i]!.split('=');
      const n = Number(value);
      if (name === undefined || !(name in DEFAULT_RELAY_LIMITS) || !Number.isSafeInteger(n) || n <= 0) {
        console.error(`weft-relay: bad --limit "${v}"; known limits: ${Object.keys(DEFAULT_RELAY_LIMITS).join(', ')}`);
        process.exit(2);
      }
      limits[name] = n;
    } else {
      console.error(USAGE);
      process.exit(2);
    }
  }
  return out;
}

const args = parse(process.argv.slice(2));
// Handlers first: a SIGTERM that arrives while starting must still flush, not kill outright.
let stopping = false;
const state: { started?: Promise<Relay> } = {};
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`weft-relay: ${signal}, flushing and closing`);
  void (state.started ?? Promise.resolve(undefined)).then((r) => r?.close()).then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
state.started = startRelay({
  port: args.port,
  host: args.host,
  dataDir: args.dataDir,
  ...(args.allow.length > 0 ? { allow: args.allow } : {}),
  limits: args.limits,
});
const relay = await state.started;
console.log(`weft-relay listening on ${relay.url} (data in ${args.dataDir})`);
