/**
 * `weft-relay [--port N] [--host H] [--data DIR] [--allow DBID]...`: starts a relay and prints
 * its URL; SIGTERM or SIGINT closes every socket and flushes storage before exiting.
 */
import { startRelay } from './relay-server.ts';

function parse(argv: string[]): { port: number; host: string; dataDir: string; allow: string[] } {
  const out = {
    port: Number(process.env.WEFT_RELAY_PORT ?? 8787),
    host: process.env.WEFT_RELAY_HOST ?? '127.0.0.1',
    dataDir: process.env.WEFT_RELAY_DATA ?? 'weft-data',
    allow: [] as string[],
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v !== undefined) out.port = Number(argv[++i]);
    else if (a === '--host' && v !== undefined) out.host = argv[++i]!;
    else if (a === '--data' && v !== undefined) out.dataDir = argv[++i]!;
    else if (a === '--allow' && v !== undefined) out.allow.push(argv[++i]!);
    else {
      console.error(`usage: weft-relay [--port N] [--host H] [--data DIR] [--allow DBID]...`);
      process.exit(2);
    }
  }
  return out;
}

const args = parse(process.argv.slice(2));
const relay = await startRelay({
  port: args.port,
  host: args.host,
  dataDir: args.dataDir,
  ...(args.allow.length > 0 ? { allow: args.allow } : {}),
});
console.log(`weft-relay listening on ${relay.url} (data in ${args.dataDir})`);
let stopping = false;
const stop = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  console.log(`weft-relay: ${signal}, flushing and closing`);
  void relay.close().then(() => process.exit(0));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
