/**
 * Real relay processes and a plain TCP load balancer, for tests that run several relays: each
 * relay is its own `weft-relay` binary on 127.0.0.1, stopped (or killed) by its PID.
 */
import { spawn } from 'node:child_process';
import { createServer, connect, type Socket } from 'node:net';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../bin/weft-relay.js');

/** A running relay process. */
export interface RelayProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** SIGTERM (graceful) or SIGKILL, then waits for the exit. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Starts `weft-relay --port <port> --host 127.0.0.1 --data <dataDir> [extra]`; resolves once it listens. */
export function startRelayProcess(dataDir: string, extra: readonly string[] = [], port = 0): Promise<RelayProcess> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [BIN, '--port', String(port), '--host', '127.0.0.1', '--data', dataDir, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stderr.on('data', (d: Buffer) => {
      out += String(d);
      process.stderr.write(`[relay ${child.pid}] ${String(d)}`);
    });
    child.stdout.on('data', (d: Buffer) => {
      out += String(d);
      const m = /listening on (http:\/\/127\.0\.0\.1:(\d+))/.exec(out);
      if (m === null) return;
      done({
        url: m[1]!,
        port: Number(m[2]),
        pid: child.pid!,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, signal);
          await exited;
        },
      });
    });
    child.once('exit', (code) => fail(new Error(`relay exited early (${code}): ${out}`)));
  });
}

/** A TCP load balancer on 127.0.0.1: round robin, skipping backends that refuse connections. */
export interface Balancer {
  readonly url: string;
  /** The backend port each accepted connection went to, in order. */
  readonly picks: readonly number[];
  close(): Promise<void>;
}

/** Starts a {@link Balancer} in front of the given backend ports. No stickiness of any kind. */
export function startBalancer(backends: readonly number[]): Promise<Balancer> {
  let next = 0;
  const picks: number[] = [];
  const open = new Set<Socket>();
  const track = (s: Socket): void => {
    open.add(s);
    s.on('error', () => s.destroy());
    s.on('close', () => open.delete(s));
  };
  const server = createServer((inbound) => {
    track(inbound);
    inbound.pause();
    const attempt = (tries: number): void => {
      if (tries >= backends.length || inbound.destroyed) {
        inbound.destroy();
        return;
      }
      const index = (next + tries) % backends.length;
      const outbound = connect(backends[index]!, '127.0.0.1');
      let connected = false;
      outbound.once('connect', () => {
        connected = true;
        next = (index + 1) % backends.length;
        picks.push(backends[index]!);
        track(outbound);
        inbound.pipe(outbound);
        outbound.pipe(inbound);
        inbound.resume();
        outbound.on('close', () => inbound.destroy());
        inbound.on('close', () => outbound.destroy());
      });
      outbound.once('error', () => {
        if (!connected) attempt(tries + 1);
      });
    };
    attempt(0);
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      done({
        url: `http://127.0.0.1:${port}`,
        picks,
        close: () =>
          new Promise<void>((r) => {
            for (const s of open) s.destroy();
            server.close(() => r());
          }),
      });
    }),
  );
}
