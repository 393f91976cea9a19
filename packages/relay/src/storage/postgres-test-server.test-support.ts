/**
 * A throwaway PostgreSQL server for the relay's tests: `initdb` into a fresh temp directory,
 * `postgres` listening on 127.0.0.1 only at a free port (fsync off: test data need not survive
 * a power cut), one database per caller, stopped by its PID.
 *
 * PostgreSQL refuses to run as root, so when the tests run as root (CI) `initdb` and `postgres`
 * run as the `postgres` user, spawned with its uid/gid so the PID we hold is the server's own.
 *
 * Where no PostgreSQL binaries are found the tests that need one are skipped with the reason
 * printed, unless `WEFT_REQUIRE_POSTGRES=1` (set by `.ci/run`), which turns that into a failure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** A running test server. */
export interface TestPostgres {
  /** A fresh, empty database on the server; returns its connection URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (by PID) and removes its data directory. */
  stop(): Promise<void>;
}

/** The directory holding `initdb` and `postgres`, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const candidates: string[] = [];
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe' }).trim());
  } catch {
    // no pg_config on PATH
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debian, v, 'bin')));
  }
  candidates.push('/opt/homebrew/bin', '/usr/local/bin', '/usr/bin');
  return candidates.find((dir) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb')));
}

/**
 * Why PostgreSQL tests cannot run here, or undefined when they can. Throws when they must run
 * (`WEFT_REQUIRE_POSTGRES=1`) but cannot, so CI never skips them silently.
 */
export function postgresSkipReason(): string | undefined {
  if (findPostgresBin() !== undefined) return undefined;
  const reason = 'PostgreSQL is not installed (no initdb/postgres found); skipping the PostgreSQL tests';
  if (process.env.WEFT_REQUIRE_POSTGRES === '1') throw new Error(`WEFT_REQUIRE_POSTGRES=1 but ${reason}`);
  console.warn(reason);
  return reason;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The uid/gid to run PostgreSQL as: the `postgres` user when we are root, else ourselves. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Starts a server; resolves once it accepts connections. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error('PostgreSQL is not installed');
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'weft-pg-'));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--no-locale'],
    {
      stdio: 'pipe',
      ...user,
      cwd: dir,
    },
  );
  const port = await freePort();
  const server: ChildProcess = spawn(
    join(bin, 'postgres'),
    // Unix socket in our own directory; TCP on loopback only.
    ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    { stdio: ['ignore', 'ignore', 'pipe'], ...user, cwd: dir },
  );
  let log = '';
  server.stderr!.on('data', (d: Buffer) => (log = (log + String(d)).slice(-4000)));
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new pg.Client({ connectionString: admin });
    try {
      await c.connect();
      await c.end();
      break;
    } catch {
      await c.end().catch(() => undefined);
      if (server.exitCode !== null || Date.now() > deadline) {
        if (server.exitCode === null) process.kill(server.pid!, 'SIGKILL');
        throw new Error(`test PostgreSQL did not start: ${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  let counter = 0;
  return {
    async createDatabase(name = `weft_test_${process.pid}_${++counter}`) {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`CREATE DATABASE "${name}"`);
      } finally {
        await c.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown: disconnect clients, no waiting for them.
      if (server.exitCode === null && server.signalCode === null) process.kill(server.pid!, 'SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
