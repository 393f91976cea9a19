/**
 * `weft-relay [--port N] [--host H] [--data DIR] [--postgres URL] [--allow DBID]...
 * [--limit NAME=N]... [--schema MODULE[#EXPORT]]`: starts a relay and prints its URL; SIGTERM or
 * SIGINT closes every socket and flushes storage before exiting. `--postgres` (or
 * `WEFT_RELAY_POSTGRES`) stores databases in PostgreSQL instead of SQLite, shared with other
 * relay processes (docs/DEPLOY.md). Every limit of `RelayLimits` can be set with
 * `--limit` (e.g. `--limit maxConnections=500`). `--schema` loads the app's schema (a module's
 * export, `schema` unless named) so the relay enforces its rules too.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Schema } from '@weft/engine';
import { startRelay, type Relay } from './relay-server.ts';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relay-options.ts';

const USAGE =
  'usage: weft-relay [--port N] [--host H] [--data DIR] [--postgres URL] [--allow DBID]... [--limit NAME=N]... ' +
  '[--schema MODULE[#EXPORT]]';

function parse(argv: string[]): {
  port: number;
  host: string;
  dataDir: string;
  allow: string[];
  limits: Partial<RelayLimits>;
  schema: string | undefined;
  postgres: string | undefined;
} {
  const limits: Record<string, number> = {};
  const out = {
    port: Number(process.env.WEFT_RELAY_PORT ?? 8787),
    host: process.env.WEFT_RELAY_HOST ?? '127.0.0.1',
    dataDir: process.env.WEFT_RELAY_DATA ?? 'weft-data',
    allow: [] as string[],
    limits: limits as Partial<RelayLimits>,
    schema: undefined as string | undefined,
    postgres: process.env.WEFT_RELAY_POSTGRES as string | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--port' && v !== undefined) out.port = Number(argv[++i]);
    else if (a === '--host' && v !== undefined) out.host = argv[++i]!;
    else if (a === '--data' && v !== undefined) out.dataDir = argv[++i]!;
    else if (a === '--allow' && v !== undefined) out.allow.push(argv[++i]!);
    else if (a === '--schema' && v !== undefined) out.schema = argv[++i]!;
    else if (a === '--postgres' && v !== undefined) out.postgres = argv[++i]!;
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

/** Loads `module#export` (export `schema` unless named), checked to be a Schema. */
async function loadSchema(spec: string | undefined): Promise<Schema | undefined> {
  if (spec === undefined) return undefined;
  const [file, name = 'schema'] = spec.split('#');
  const mod = (await import(pathToFileURL(resolve(file!)).href)) as Record<string, unknown>;
  const schema = mod[name] ?? Object.values(mod).find((v) => v instanceof Schema);
  if (!(schema instanceof Schema)) {
    console.error(`weft-relay: ${spec} exports no Schema named "${name}"`);
    process.exit(2);
  }
  return schema;
}

const args = parse(process.argv.slice(2));
if (args.postgres !== undefined && !/^postgres(ql)?:\/\//.test(args.postgres)) {
  console.error('weft-relay: --postgres takes a postgres://user:password@host:port/database url');
  process.exit(2);
}

/** Where the data lives, for the start-up line; never prints a password. */
function storageNote(): string {
  if (args.postgres === undefined) return `data in ${args.dataDir}`;
  const u = new URL(args.postgres);
  return `data in postgres ${u.host}${u.pathname}, identity in ${args.dataDir}`;
}
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
state.started = loadSchema(args.schema).then((schema) =>
  startRelay({
    port: args.port,
    host: args.host,
    dataDir: args.dataDir,
    ...(args.allow.length > 0 ? { allow: args.allow } : {}),
    limits: args.limits,
    ...(schema === undefined ? {} : { schema }),
    ...(args.postgres === undefined ? {} : { postgres: args.postgres }),
  }),
);
const relay = await state.started;
console.log(`weft-relay listening on ${relay.url} (${storageNote()})`);
