/**
 * A real relay process for e2e tests, started by its own binary (`weft-relay`) on 127.0.0.1 with
 * a fresh data directory, and stopped by its PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../packages/relay/bin/weft-relay.js');

/** A running relay process. */
export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM (graceful: flushes storage) or SIGKILL, then waits for the exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** The todo example's schema, for relays that enforce its rules (`--schema`). */
export const TODO_SCHEMA = resolve(import.meta.dirname, '../../examples/todo/src/schema.ts');
/** The notes example's schema (`--schema`), for relays serving the notes app. */
export const NOTES_SCHEMA = resolve(import.meta.dirname, '../../examples/notes/src/schema.ts');

/** Starts `weft-relay --port <port> --data <dataDir> [extra]`; resolves once it listens. */
export function startRelayProcess(dataDir: string, port = 0, extra: readonly string[] = []): Promise<RelayProcess> {
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [BIN, '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...extra],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[relay] ${String(d)}`));
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m === null) return;
      resolvePromise({
        url: m[1]!,
        port: Number(m[2]),
        pid: child.pid!,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
          await exited;
        },
      });
    });
    child.once('exit', (code) => reject(new Error(`relay exited early (${code}): ${out}`)));
  });
}
