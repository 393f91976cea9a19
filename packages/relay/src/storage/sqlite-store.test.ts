import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter } from '@weft/engine';
import { expectWeftError, runStorageAdapterTests } from '@weft/engine/testing';
import { openSqliteStore, type SqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const freshPath = (): string => join(dir, `store-${++counter}.sqlite`);
const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

/**
 * A namespace of a store whose neighbours hold keys interleaved with anything the suite writes,
 * so a scan or range delete that leaks across namespaces fails the suite.
 */
async function crowdedDatabase(options?: Parameters<typeof openSqliteStore>[1]): Promise<StorageAdapter> {
  const store = await openSqliteStore(freshPath(), options);
  for (const name of ['before', 'after']) {
    const other = store.database(name);
    await other.write(
      ['changes', 'chain', 'docs', 'indexes', 'meta', 'snapshots'].flatMap((s) =>
        [b(), b(0x00), b(0x61), b(0xff), b(0xff, 0xff)].map((key) => ({
          type: 'put' as const,
          store: s as 'docs',
          key,
          value: b(9),
        })),
      ),
    );
    await other.close();
  }
  const db = store.database('under-test');
  return { ...db, close: async () => (await db.close(), await store.close()) };
}

runStorageAdapterTests('sqlite store (one namespace among others)', () => crowdedDatabase(), {
  supportsQuota: true,
  makeFullAdapter: () => crowdedDatabase({ maxPageCount: 256 }),
});

describe('sqlite store', () => {
  const stores: SqliteStore[] = [];
  const open = async (path = freshPath(), options?: Parameters<typeof openSqliteStore>[1]): Promise<SqliteStore> => {
    const s = await openSqliteStore(path, options);
    stores.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });

  it('keeps databases apart, and keeps their names across reopen', async () => {
    const path = freshPath();
    const first = await openSqliteStore(path);
    const a = first.database('a');
    const c = first.database('c');
    await a.write([{ type: 'put', store: 'docs', key: b(1), value: b(0xa) }]);
    await c.write([{ type: 'put', store: 'docs', key: b(1), value: b(0xc) }]);
    await a.write([{ type: 'deleteRange', store: 'docs', gte: b(), lt: b(0xff) }]);
    expect(await a.get('docs', b(1))).toBeUndefined();
    expect(await c.get('docs', b(1))).toEqual(b(0xc));
    await first.close();
    const second = await open(path);
    expect(await second.database('c').scan('docs')).toEqual([{ key: b(1), value: b(0xc) }]);
    expect(await second.database('a').scan('docs')).toEqual([]);
  });

  it('commits batches of many databases written in one turn together, and reads see queued writes', async () => {
    const store = await open();
    const dbs = Array.from({ length: 20 }, (_, i) => store.database(`db${i}`));
    const before = store.commits;
    const writes = dbs.map((db, i) => db.write([{ type: 'put', store: 'meta', key: b(0), value: b(i) }]));
    // Issued after the writes, in call order: must see them although their turn has not ended.
    expect(await dbs[7]!.get('meta', b(0))).toEqual(b(7));
    await Promise.all(writes);
    // One transaction (one fsync) for all twenty, flushed by the read.
    expect(store.commits - before).toBe(1);
    for (const [i, db] of dbs.entries()) expect(await db.get('meta', b(0))).toEqual(b(i));
  });

  it('fails only the batch that overflows the quota, not the others committed in the same turn', async () => {
    const store = await open(freshPath(), { maxPageCount: 64 });
    const small = store.database('small');
    const big = store.database('big');
    const ok = small.write([{ type: 'put', store: 'docs', key: b(1), value: b(1) }]);
    const tooBig = big.write([{ type: 'put', store: 'docs', key: b(1), value: new Uint8Array(1024 * 1024) }]);
    const ok2 = small.write([{ type: 'put', store: 'docs', key: b(2), value: b(2) }]);
    await expect(ok).resolves.toBeUndefined();
    await expectWeftError(tooBig, 'E_QUOTA');
    await expect(ok2).resolves.toBeUndefined();
    expect((await small.scan('docs')).length).toBe(2);
    expect(await big.scan('docs')).toEqual([]);
  });

  it('rejects bad names, a second adapter for one name, and use after close', async () => {
    const store = await open();
    expect(() => store.database('')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    const a = store.database('a');
    expect(() => store.database('a')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(store.openDatabases).toBe(1);
    await a.close();
    expect(store.openDatabases).toBe(0);
    await expectWeftError(a.get('docs', b(1)), 'E_CLOSED');
    await expectWeftError(a.write([{ type: 'put', store: 'docs', key: b(1), value: b(1) }]), 'E_CLOSED');
    // Reopening the name gives a working adapter on the same data.
    await store.database('a').write([{ type: 'put', store: 'docs', key: b(1), value: b(1) }]);
  });

  it('refuses a file of another layout', async () => {
    const path = freshPath();
    const Database = (await import('better-sqlite3')).default;
    const raw = new Database(path);
    raw.pragma('user_version = 1');
    raw.close();
    await expectWeftError(openSqliteStore(path), 'E_STORAGE');
  });
});
