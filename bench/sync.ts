/**
 * `npm run bench -- sync [--changes N] [--memory]`: user A holds 10,000 changes (100,000 ops), user B joins
 * empty; time until B has converged over WebRTC and over the relay, in headless Chromium, against
 * the raw Ed25519 verify rate in the same page (bench/browser/pages/sync.ts). Runs inside the
 * private network namespace `npm run bench` sets up, which WebRTC needs for host candidates.
 *
 * Target (issue 7): changes_per_s >= 0.5 x raw_verify_per_s (changes_per_s is the slower path).
 *
 * `--memory` keeps B's WebRTC replica in memory instead of IndexedDB, to separate the storage
 * cost from the protocol's (measured: 10.3 s with IndexedDB, 3.0 s in memory).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRelayProcess } from '../e2e/support/relay-process.ts';
import { runInBrowser } from './browser/harness.ts';
import { printTable } from './report.ts';

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const i = args.indexOf('--changes');
  const changes = i >= 0 ? Number(args[i + 1]) : 10_000;
  const dataDir = await mkdtemp(join(tmpdir(), 'weft-bench-sync-'));
  const relay = await startRelayProcess(dataDir);
  try {
    const figures = await runInBrowser('sync', { changes, relay: relay.url, memory: args.includes('--memory') });
    printTable('sync: B joins empty and converges (WebRTC data channel / relay), IndexedDB on B', figures);
    return figures;
  } finally {
    await relay.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}
