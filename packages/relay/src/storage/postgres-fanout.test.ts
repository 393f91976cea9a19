import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { generateIdentity } from '@weft/engine';
import { startRelay, type Relay } from '../relay-server.ts';
import { client, until, type Client } from '../relay-test-kit.test-support.ts';
import { postgresSkipReason, startTestPostgres } from './postgres-test-server.test-support.ts';

const skip = postgresSkipReason();
const server = skip === undefined ? await startTestPostgres() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'weft-pg-fanout-'));
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const open: { relays: Relay[]; clients: Client[] } = { relays: [], clients: [] };
afterEach(async () => {
  for (const c of open.clients.splice(0)) c.link.close();
  for (const r of open.relays.splice(0)) await r.close();
});
async function relayOn(url: string): Promise<Relay> {
  const r = await startRelay({ port: 0, dataDir: dir, identity: await generateIdentity(), postgres: url });
  open.relays.push(r);
  return r;
}
async function clientOf(...args: Parameters<typeof client>): Promise<Client> {
  const c = await client(...args);
  open.clients.push(c);
  return c;
}

describe.skipIf(skip !== undefined)('postgres fan-out between relays', () => {
  it('catches up after its LISTEN connection is cut: changes announced meanwhile are not lost', async () => {
    const url = await server!.createDatabase();
    const one = await relayOn(url);
    const two = await relayOn(url);
    const a = await clientOf(one);
    const db = a.replica.dbId;
    const b = await clientOf(two, db);
    await a.replica.change((tx) => tx.insert('notes', { title: 'first' }, 'first'));
    await until(() => b.replica.get('notes', 'first') !== undefined, 10_000, 'b to get the first change');

    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const listeners = async (): Promise<number[]> =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN weft_changes'`,
          )
        ).rows.map((r) => r.pid);
      const before = await listeners();
      expect(before.length).toBe(2);
      // Cut every connection of both relays: LISTEN ones and pooled ones alike.
      await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
      );
      await a.replica.change((tx) => tx.insert('notes', { title: 'while cut' }, 'cut'));
      // Well inside the 30 s safety poll: only the reconnect's catch-up can deliver it.
      await until(() => b.replica.get('notes', 'cut') !== undefined, 10_000, 'b to get the change written while cut');
      const after = await listeners();
      expect(after.length).toBe(2);
      expect(after.some((pid) => before.includes(pid))).toBe(false);
    } finally {
      await admin.end();
    }
  });

  it('refuses a second relay running as the same instance', async () => {
    const url = await server!.createDatabase();
    const identity = await generateIdentity();
    const first = await startRelay({ port: 0, dataDir: dir, identity, postgres: url });
    open.relays.push(first);
    await expect(startRelay({ port: 0, dataDir: dir, identity, postgres: url })).rejects.toMatchObject({
      code: 'E_STORAGE',
      message: expect.stringContaining('another relay process runs as instance') as unknown,
    });
  });
});
