/**
 * Cold-start queries from storage (stored-query.ts, replica-opening.ts): answered from the
 * persisted index exactly as the loaded replica answers, refused whenever storage can't answer
 * exactly, and read before the full open starts.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import { docKey } from '../crdt/doc-state.ts';
import { seqLogKey } from '../replica/replica-store.ts';
import type { StorageAdapter, StoreName } from '../storage/storage-port.ts';
import { createReplica, generateIdentity, openReplica, type Replica } from '../index.ts';
import { Rng, seedsToRun, withSeed } from '../testing/random.ts';
import { gte, eq } from './predicate.ts';
import { query, type QueryBuilder } from './query-builder.ts';
import { queriesOf } from './replica-queries.ts';
import type { IndexDefinition } from './sorted-index.ts';
import { runStoredQuery } from './stored-query.ts';

const INDEXES: IndexDefinition[] = [
  { name: 'by_rank', collection: 'items', fields: ['rank'] },
  { name: 'by_owner_rank', collection: 'items', fields: ['owner', 'rank'] },
];

/** Memory storage that survives `close`, so a second replica can open what the first wrote. */
function keptStorage(): StorageAdapter & { reads: string[] } {
  const inner = createMemoryStorage();
  const reads: string[] = [];
  return {
    ...inner,
    reads,
    async scan(store: StoreName, options) {
      reads.push(`scan:${store}`);
      return inner.scan(store, options);
    },
    async close() {},
  };
}

async function seeded(rng: Rng, storage: StorageAdapter, indexes = INDEXES): Promise<Replica> {
  const r = await createReplica({ identity: await generateIdentity(), storage, create: { name: 't' }, indexes });
  for (let round = 0; round < 6; round++)
    await r.change((tx) => {
      for (let k = 0; k < 40; k++) {
        const id = `i${rng.int(120)}`;
        if (r.get('items', id) === undefined)
          tx.insert('items', { rank: rng.int(50), owner: rng.pick(['ann', 'bob', 'cy']), odd: rng.bool() }, id);
        else if (rng.bool(0.15)) tx.delete('items', id);
        else tx.update('items', id, rng.bool(0.5) ? { rank: rng.int(50) } : { odd: rng.bool() });
      }
    });
  return r;
}

const QUERIES: Record<string, (q: QueryBuilder) => QueryBuilder> = {
  rangeAsc: (q) => q.where('rank', '>=', 20).orderBy('rank').limit(10),
  rangeDesc: (q) => q.where('rank', '<', 30).orderBy('rank', 'desc').limit(7),
  equalityThenRange: (q) => q.where(eq('owner', 'bob')).where(gte('rank', 5)).orderBy('rank').limit(5),
  // `odd` isn't indexed: entries are filtered after reading, so pages must grow.
  uncoveredFilter: (q) => q.where('odd', '==', true).where('rank', '>=', 0).orderBy('rank').limit(30),
  offset: (q) => q.where('rank', '>=', 10).orderBy('rank').offset(12).limit(4),
  unlimited: (q) => q.where('rank', '>=', 45).orderBy('rank'),
  empty: (q) => q.where('rank', '>=', 1000).orderBy('rank').limit(3),
};

describe('runStoredQuery', () => {
  it('answers index-ordered queries exactly as the loaded replica does', async () => {
    for (const seed of seedsToRun(6)) {
      await withSeed(seed, async () => {
        const storage = keptStorage();
        const r = await seeded(new Rng(seed), storage);
        for (const [name, make] of Object.entries(QUERIES)) {
          const spec = make(query('items')).spec;
          const stored = await runStoredQuery(storage, INDEXES, spec);
          expect(stored, name).toEqual(queriesOf(r).run(spec));
        }
        // A cursor continues where a stored page ended.
        const page = QUERIES.rangeAsc!(query('items'));
        const first = queriesOf(r).run(page.spec);
        if (first.length > 0) {
          const next = page.after(page.cursor(first.at(-1)!)).spec;
          expect(await runStoredQuery(storage, INDEXES, next)).toEqual(queriesOf(r).run(next));
        }
      });
    }
  });

  it('materializes text fields from their snapshot and op log', async () => {
    const storage = keptStorage();
    const r = await createReplica({
      identity: await generateIdentity(),
      storage,
      create: { name: 't' },
      indexes: INDEXES,
    });
    await r.change((tx) => tx.insert('items', { rank: 1, owner: 'ann' }, 'n1'));
    // Past the snapshot threshold, later edits go to the field's op log.
    for (const word of ['x'.repeat(5000), 'Hello', ' cold', ' start'])
      await r.change((tx) =>
        tx.text('items', 'n1', 'body').insert(r.get('items', 'n1')?.body?.toString().length ?? 0, word),
      );
    const logKey = seqLogKey(docKey('items', 'n1'), 'seq:body', 0);
    expect(await storage.get('docs', logKey)).toBeDefined();
    const spec = query('items').where('rank', '>=', 0).orderBy('rank').limit(1).spec;
    const rows = await runStoredQuery(storage, INDEXES, spec);
    expect(rows).toEqual(queriesOf(r).run(spec));
    expect(rows?.[0]?.body).toBe(`${'x'.repeat(5000)}Hello cold start`);
  });

  it('refuses what storage cannot answer exactly', async () => {
    const storage = keptStorage();
    const r = await seeded(new Rng(1), storage);
    const refused = {
      // Rows would have to be sorted after reading all matches.
      sorted: query('items').orderBy('odd').limit(3),
      noIndex: query('other').where('rank', '>=', 0).orderBy('rank').limit(3),
      include: query('items').where('rank', '>=', 0).orderBy('rank').include('owner').limit(3),
    };
    for (const [name, q] of Object.entries(refused))
      expect(await runStoredQuery(storage, INDEXES, q.spec), name).toBeUndefined();
    // An index the stored record doesn't describe (other fields) is not read.
    const renamed = [{ name: 'by_rank', collection: 'items', fields: ['odd'] }];
    expect(
      await runStoredQuery(storage, renamed, query('items').where('odd', '==', true).limit(1).spec),
    ).toBeUndefined();
    await r.close();
    // A session without the index moved the heads on: its stored entries may be stale.
    const again = await createReplica({ identity: await generateIdentity(), storage });
    await again.change((tx) => tx.update('items', again.list('items')[0]!.id, { rank: 49 }));
    expect(await runStoredQuery(storage, INDEXES, QUERIES.rangeAsc!(query('items')).spec)).toBeUndefined();
  });

  it('rejects a malformed query with E_INVALID_ARGUMENT, before reading anything', async () => {
    const storage = keptStorage();
    const bad = { ...query('items').spec, limit: -1 };
    await expect(runStoredQuery(storage, INDEXES, bad)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    const opening = openReplica({ identity: await generateIdentity(), storage, create: { name: 't' } });
    await expect(opening.fetch(bad)).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
    expect(storage.reads.filter((r) => r === 'scan:indexes')).toEqual([]);
    await opening.replica;
  });

  it('returns undefined for an empty storage', async () => {
    const spec = QUERIES.rangeAsc!(query('items')).spec;
    expect(await runStoredQuery(createMemoryStorage(), INDEXES, spec)).toBeUndefined();
  });
});

describe('openReplica', () => {
  it('answers the first query from storage before the full open reads the change log', async () => {
    const storage = keptStorage();
    const before = await seeded(new Rng(7), storage);
    const spec = QUERIES.rangeAsc!(query('items')).spec;
    const expected = queriesOf(before).run(spec);
    await before.close();
    storage.reads.length = 0;

    const opening = openReplica({ identity: await generateIdentity(), storage, indexes: INDEXES });
    const rows = await opening.fetch(spec);
    expect(rows).toEqual(expected);
    expect(opening.servedFromStorage).toBe(1);
    // Invariant 2: the first screen was read before the full open scanned the change log.
    const firstChanges = storage.reads.indexOf('scan:changes');
    expect(storage.reads.lastIndexOf('scan:indexes')).toBeLessThan(firstChanges < 0 ? Infinity : firstChanges);

    const replica = await opening.replica;
    expect(queriesOf(replica).run(spec)).toEqual(expected);
    // Once loaded, the replica answers (it may hold changes storage answers don't reflect).
    await replica.change((tx) => tx.insert('items', { rank: 25, owner: 'ann' }, 'new'));
    expect(await opening.fetch(spec)).toEqual(queriesOf(replica).run(spec));
    expect(opening.servedFromStorage).toBe(1);
  });

  it('falls back to the loaded replica for queries storage cannot answer', async () => {
    const storage = keptStorage();
    const before = await seeded(new Rng(8), storage);
    const spec = query('items').orderBy('odd').limit(4).spec;
    const expected = queriesOf(before).run(spec);
    await before.close();
    const opening = openReplica({ identity: await generateIdentity(), storage, indexes: INDEXES });
    expect(await opening.fetch(spec)).toEqual(expected);
    expect(opening.servedFromStorage).toBe(0);
  });

  it('passes a failed open on to the replica and to fetches that need it', async () => {
    const storage = keptStorage();
    const before = await seeded(new Rng(9), storage);
    await before.close();
    const opening = openReplica({ identity: await generateIdentity(), storage, db: 'not-this-db' as never });
    await expect(opening.replica).rejects.toMatchObject({ code: 'E_WRONG_DB' });
    await expect(opening.fetch(query('items').orderBy('odd').limit(1))).rejects.toMatchObject({ code: 'E_WRONG_DB' });
  });
});
