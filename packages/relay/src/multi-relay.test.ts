import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { connectRelay, createReplica, generateIdentity, relaySyncUrl, type Replica } from '@weft/engine';
import { openWs, until } from './relay-test-kit.test-support.ts';
import { startBalancer, startRelayProcess, type Balancer, type RelayProcess } from './relay-process.test-support.ts';
import { postgresSkipReason, startTestPostgres } from './storage/postgres-test-server.test-support.ts';

const skip = postgresSkipReason();
const server = skip === undefined ? await startTestPostgres() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'weft-multi-relay-'));
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const running: { relays: RelayProcess[]; balancers: Balancer[]; closers: (() => void)[] } = {
  relays: [],
  balancers: [],
  closers: [],
};
afterEach(async () => {
  for (const close of running.closers.splice(0)) close();
  for (const b of running.balancers.splice(0)) await b.close();
  for (const r of running.relays.splice(0)) await r.stop('SIGKILL');
});

let dirs = 0;
/** A relay process on `url`'s PostgreSQL, with its own data directory (its identity). */
async function relay(url: string, dataDir = join(dir, `relay-${++dirs}`)): Promise<RelayProcess> {
  const r = await startRelayProcess(dataDir, ['--postgres', url]);
  running.relays.push(r);
  return r;
}

/** A client replica syncing through the relay (or balancer) at `base`. */
async function clientAt(base: string, db?: string): Promise<Replica> {
  const identity = await generateIdentity();
  const replica =
    db === undefined
      ? await createReplica({ identity, create: { name: 'multi-relay' } })
      : await createReplica({ identity, db: db as Replica['dbId'] });
  const link = connectRelay({
    replica,
    identity,
    url: relaySyncUrl(base, replica.dbId),
    openSocket: openWs,
    minDelayMs: 50,
  });
  running.closers.push(() => link.close());
  return replica;
}

const has = (r: Replica, id: string): boolean => r.get('notes', id) !== undefined;

describe.skipIf(skip !== undefined)('several relay processes on one PostgreSQL', () => {
  it('fans a change written through relay 1 out to a client of relay 2, and back', async () => {
    const url = await server!.createDatabase();
    const [one, two] = await Promise.all([relay(url), relay(url)]);
    const a = await clientAt(one.url);
    const b = await clientAt(two.url, a.dbId);
    await a.change((tx) => tx.insert('notes', { title: 'warm-up' }, 'warm'));
    await until(() => has(b, 'warm'), 20_000, 'b to get the first change through relay 2');

    // Round trips client → relay 1 → PostgreSQL → NOTIFY → relay 2 → client, one at a time.
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await a.change((tx) => tx.insert('notes', { title: `n${i}` }, `n${i}`));
      await until(() => has(b, `n${i}`), 10_000, `b to get n${i}`);
      ms.push(performance.now() - started);
    }
    ms.sort((x, y) => x - y);
    console.log(
      `fan-out latency, write on a client of relay 1 → visible on a client of relay 2: ` +
        `median ${ms[5]!.toFixed(1)} ms, max ${ms[9]!.toFixed(1)} ms (10 samples)`,
    );
    expect(ms[9]).toBeLessThan(10_000);

    await b.change((tx) => tx.insert('notes', { title: 'from b' }, 'from-b'));
    await until(() => has(a, 'from-b'), 10_000, 'a to get b’s change through relay 1');
    await until(() => a.stateHash() === b.stateHash(), 10_000, 'a and b to converge');
  });

  it('loses nothing when relay 1 is SIGKILLed mid-sync: its clients move to relay 2 behind the balancer', async () => {
    const url = await server!.createDatabase();
    const oneDir = join(dir, `relay-${++dirs}`);
    const [one, two] = await Promise.all([relay(url, oneDir), relay(url)]);
    const balancer = await startBalancer([one.port, two.port]);
    running.balancers.push(balancer);
    const a = await clientAt(balancer.url);
    const db = a.dbId;
    const b = await clientAt(balancer.url, db);
    await until(() => balancer.picks.length >= 2, 10_000, 'both clients to connect');
    // Round robin, no stickiness: a sits on relay 1 and b on relay 2.
    expect(balancer.picks.slice(0, 2)).toEqual([one.port, two.port]);

    // More than a few credit windows (256 changes each), so the kill lands mid-sync.
    const first = 1000;
    const total = 1200;
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const shared = async (): Promise<number> =>
        Number((await pool.query('SELECT count(*) AS n FROM weft_changes WHERE db = $1', [db])).rows[0].n);
      const writing = (async () => {
        for (let i = 0; i < first; i++) await a.change((tx) => tx.insert('notes', { i }, `k${i}`));
      })();
      // Kill relay 1 while a's changes are still streaming into it.
      await until(async () => (await shared()) >= 60, 20_000, 'relay 1 to store some of a’s changes');
      await one.stop('SIGKILL');
      const atKill = await shared();
      await writing;
      expect(atKill).toBeLessThan(first + 1);
      console.log(`relay 1 (pid ${one.pid}) SIGKILLed with ${atKill} of a's ${a.changes().length} changes stored`);
      // a goes on writing while it reconnects; the balancer now sends it to relay 2.
      for (let i = first; i < total; i++) await a.change((tx) => tx.insert('notes', { i }, `k${i}`));
      await until(() => a.stateHash() === b.stateHash(), 60_000, 'b (on relay 2) to converge with a');
      for (let i = 0; i < total; i++) expect(has(b, `k${i}`)).toBe(true);
      expect(balancer.picks.slice(2)).not.toContain(one.port);
      expect(await shared()).toBe(a.changes().length);
    } finally {
      await pool.end();
    }

    // Relay 1 restarts with the same identity (so the same rows) and catches up from the log.
    const again = await relay(url, oneDir);
    const c = await clientAt(again.url, db);
    await until(() => c.stateHash() === a.stateHash(), 30_000, 'a client of the restarted relay 1 to converge');
  });
});
