/**
 * `npm run bench -- relay [--clients N] [--changes N]`: 1,000 clients (Node, real WebSockets to
 * 127.0.0.1), each holding 100 unsynced changes of its own database, connect to a relay process
 * at once. Measures the time until the relay has stored every change, the relay's RSS growth
 * per client, errors and lost changes, and compares the relay's throughput with raw Ed25519
 * verify of the same signatures (WebCrypto, 64 in flight) in this process.
 *
 * Targets (issue 7): errors = 0, lost = 0, kib_per_client <= 100, throughput >= 0.7 x raw verify.
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  connectRelay,
  createReplica,
  generateIdentity,
  relaySyncUrl,
  type RelayLink,
  type SignedChange,
  type SocketLike,
} from '@weft/engine';
import { startRelayProcess } from '../e2e/support/relay-process.ts';
import { rawVerifyPerSecond } from './workload.ts';
import { printTable } from './report.ts';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

async function rssKib(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

async function metric(url: string, name: string): Promise<number> {
  // While a thousand sockets open at once the listen backlog can overflow: retry the scrape.
  let text = '';
  for (let tries = 0; ; tries++) {
    try {
      text = await (await fetch(`${url}/metrics`)).text();
      break;
    } catch (err) {
      if (tries >= 20) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const m = new RegExp(`^weft_relay_${name} (\\d+)$`, 'm').exec(text);
  return Number(m?.[1] ?? 0);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const clients = arg(args, 'clients', 1_000);
  const perClient = arg(args, 'changes', 100);
  console.log(`preparing ${clients} clients × ${perClient} changes…`);
  const replicas = [];
  const signed: SignedChange[] = [];
  for (let i = 0; i < clients; i++) {
    const identity = await generateIdentity();
    const replica = await createReplica({ identity, create: { name: `c${i}` } });
    for (let k = 1; k < perClient; k++) await replica.change((tx) => tx.insert('notes', { n: k, title: `note ${k}` }));
    for (const e of replica.changes()) signed.push(e.sc);
    replicas.push({ replica, identity });
  }
  const raw = await rawVerifyPerSecond(signed.slice(0, 20_000), 64);
  const dataDir = await mkdtemp(join(tmpdir(), 'weft-bench-relay-'));
  const relay = await startRelayProcess(dataDir);
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssBefore = await rssKib(relay.pid);
    let errors = 0;
    const links: RelayLink[] = [];
    const t0 = performance.now();
    for (const { replica, identity } of replicas)
      links.push(
        connectRelay({
          replica,
          identity,
          url: relaySyncUrl(relay.url, replica.dbId),
          openSocket: (u) => new WebSocket(u) as unknown as SocketLike,
          minDelayMs: 200,
          onStatus: (s) => {
            if (s.error !== null && s.state === 'connecting') errors++;
          },
        }),
      );
    const target = clients * perClient;
    let stored = 0;
    const deadline = Date.now() + 10 * 60_000;
    while (Date.now() < deadline) {
      stored = await metric(relay.url, 'changes_stored');
      if (stored >= target) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ms = performance.now() - t0;
    const rssAfter = await rssKib(relay.pid);
    for (const l of links) l.close();
    const changesPerS = (stored / ms) * 1000;
    const figures = {
      bench: 'relay',
      clients,
      changes: target,
      ms: Math.round(ms),
      rss_mb: Number((rssAfter / 1024).toFixed(1)),
      kib_per_client: Number(((rssAfter - rssBefore) / clients).toFixed(1)),
      errors,
      lost: target - stored,
      changes_per_s: Math.round(changesPerS),
      raw_verify_per_s: Math.round(raw),
      ratio_to_raw_verify: Number((changesPerS / raw).toFixed(3)),
    };
    printTable('relay: clients with unsynced changes connect at once (real WebSockets, SQLite)', figures);
    return figures;
  } finally {
    await relay.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}
