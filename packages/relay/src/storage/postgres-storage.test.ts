import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { decode, encode, type StorageAdapter, type WriteOp } from '@weft/engine';
import { expectWeftError, runStorageAdapterTests } from '@weft/engine/testing';
import { openPostgresStorage } from './postgres-storage.ts';
import { CHANGES_CHANNEL, ensurePostgresSchema } from './postgres-schema.ts';
import { postgresSkipReason, startTestPostgres } from './postgres-test-server.test-support.ts';

const skip = postgresSkipReason();
const server = skip === undefined ? await startTestPostgres() : undefined;
const url = server === undefined ? '' : await server.createDatabase();
const pool = new pg.Pool({ connectionString: url, max: 8 });
// An idle client whose server went away must not crash the test run.
pool.on('error', () => undefined);
if (server !== undefined) await ensurePostgresSchema(pool);
afterAll(async () => {
  await pool.end();
  await server?.stop();
});

let counter = 0;
const fresh = (): Promise<StorageAdapter> => openPostgresStorage({ pool, namespace: `test-${++counter}` });
const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe.skipIf(skip !== undefined)('postgres storage', () => {
  // No quota case (the suite skips it): a PostgreSQL database has no per-database size cap to
  // fill on demand; a full disk is a server error like any other (E_STORAGE, tested below).
  if (server !== undefined) runStorageAdapterTests('postgres (pg, shared pool)', fresh, { propertyRuns: 25 });

  const opened: StorageAdapter[] = [];
  const open = async (namespace: string, share?: Parameters<typeof openPostgresStorage>[0]['share']) => {
    const db = await openPostgresStorage({ pool, namespace, ...(share === undefined ? {} : { share }) });
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });

  it('keeps namespaces apart and keeps data across close and reopen', async () => {
    const a = await open('ns-a');
    const other = await open('ns-b');
    await a.write([{ type: 'put', store: 'docs', key: b(1), value: text('a') }]);
    await other.write([{ type: 'put', store: 'docs', key: b(1), value: text('b') }], { durability: 'relaxed' });
    await a.close();
    const again = await open('ns-a');
    expect(await again.get('docs', b(1))).toEqual(text('a'));
    expect(await other.scan('docs')).toEqual([{ key: b(1), value: text('b') }]);
  });

  it('applies a batch in order across coalesced runs: later puts and deletes of a key win', async () => {
    const db = await open('ns-order');
    await db.write([
      { type: 'put', store: 'docs', key: b(1), value: text('1') },
      { type: 'put', store: 'docs', key: b(1), value: text('2') },
      { type: 'delete', store: 'docs', key: b(1) },
      { type: 'delete', store: 'docs', key: b(1) },
      { type: 'put', store: 'docs', key: b(1), value: text('3') },
      { type: 'put', store: 'meta', key: b(1), value: text('m') },
      { type: 'deleteRange', store: 'meta', gte: b(0), lt: b(2) },
      { type: 'put', store: 'docs', key: b(2), value: text('x') },
    ]);
    expect(await db.scan('docs')).toEqual([
      { key: b(1), value: text('3') },
      { key: b(2), value: text('x') },
    ]);
    expect(await db.scan('meta')).toEqual([]);
  });

  it('publishes change records to the shared log in the same transaction, with one NOTIFY', async () => {
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const notes: string[] = [];
    listener.on('notification', (n) => notes.push(n.payload ?? ''));
    await listener.query(`LISTEN ${CHANGES_CHANNEL}`);
    try {
      const db = 'f'.repeat(64);
      // The replica's record is [wire, status, reason, order]; the log keeps the wire only.
      const share = { db, wireOf: (v: Uint8Array) => (decode(v) as [Uint8Array])[0] };
      const s = await open(`${db}/one`, share);
      const record = (wire: number[]) => encode([Uint8Array.from(wire), 'applied', null, 0]);
      await s.write([
        { type: 'put', store: 'changes', key: b(9), value: record([1, 2, 3]) },
        { type: 'put', store: 'docs', key: b(9), value: b() },
      ]);
      // Re-storing a known change (a new status) adds nothing and announces nothing.
      await s.write([{ type: 'put', store: 'changes', key: b(9), value: record([1, 2, 3]) }]);
      // A batch that fails (here: a key past the btree's ~2.7 KB limit) logs nothing either.
      const huge = crypto.getRandomValues(new Uint8Array(10_000));
      const failing: WriteOp[] = [
        { type: 'put', store: 'changes', key: b(10), value: record([4, 5, 6]) },
        { type: 'put', store: 'docs', key: huge, value: b() },
      ];
      const other = await open(`${db}/two`, share);
      await expectWeftError(other.write(failing), 'E_STORAGE');
      await other.write([{ type: 'put', store: 'changes', key: b(11), value: record([7]) }]);
      const { rows } = await pool.query<{ hash: Buffer; wire: Buffer; seq: string }>(
        'SELECT hash, wire, seq FROM weft_changes WHERE db = $1 ORDER BY seq',
        [db],
      );
      expect(rows.map((r) => [[...r.hash], [...r.wire]])).toEqual([
        [[9], [1, 2, 3]],
        [[11], [7]],
      ]);
      await new Promise((r) => setTimeout(r, 200));
      expect(notes).toEqual(rows.map((r) => `${db} ${r.seq}`));
    } finally {
      await listener.end();
    }
  });

  it('rejects bad calls with E_INVALID_ARGUMENT and calls after close with E_CLOSED', async () => {
    await expectWeftError(openPostgresStorage({ pool, namespace: '' }), 'E_INVALID_ARGUMENT');
    const db = await openPostgresStorage({ pool, namespace: 'ns-closed' });
    await expectWeftError(
      db.write([{ type: 'put', store: 'nope' as 'docs', key: b(), value: b() }]),
      'E_INVALID_ARGUMENT',
    );
    await expectWeftError(db.scan('docs', { limit: -1 }), 'E_INVALID_ARGUMENT');
    await db.close();
    await expectWeftError(db.get('docs', b()), 'E_CLOSED');
    await expectWeftError(db.write([{ type: 'delete', store: 'docs', key: b() }]), 'E_CLOSED');
  });

  it('maps a lost server to E_STORAGE', async () => {
    const dead = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 2000,
    });
    const db = await openPostgresStorage({ pool: dead, namespace: 'x', ownsPool: true });
    await expectWeftError(db.get('docs', b(1)), 'E_STORAGE');
    await expectWeftError(db.write([{ type: 'delete', store: 'docs', key: b() }]), 'E_STORAGE');
    await db.close();
  });
});
