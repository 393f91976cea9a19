import { afterEach, describe, expect, it, vi } from 'vitest';
import { createReplica, generateIdentity, type Replica } from '../index.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import { prefixEnd, type StorageAdapter } from '../storage/storage-port.ts';
import { Materializer } from '../replica/materializer.ts';
import { decodeKeyValues, encodeKeyValue, latin1 } from './key-encoding.ts';
import { queriesOf } from './replica-queries.ts';
import type { IndexDefinition } from './sorted-index.ts';
import type { IndexExtension } from './index-extension.ts';

const BY_DONE: IndexDefinition = { name: 'by_done_order', collection: 'todos', fields: ['done', 'order'] };
const BY_TITLE: IndexDefinition = { name: 'by_title', collection: 'todos', fields: ['meta.title'] };

async function open(storage: StorageAdapter, indexes: IndexDefinition[] = [], create = false): Promise<Replica> {
  const identity = await generateIdentity();
  return createReplica(create ? { identity, storage, create: { name: 't' }, indexes } : { identity, storage, indexes });
}

function ext(r: Replica): IndexExtension {
  // Present whenever the replica was opened with at least one index.
  return queriesOf(r).indexes!;
}

/** The (decoded) entries stored for one index, definition record excluded. */
async function stored(storage: StorageAdapter, name: string): Promise<{ key: string; values: unknown[] }[]> {
  const prefix = encodeKeyValue(name);
  const all = await storage.scan('indexes', { gte: prefix, lt: prefixEnd(prefix)! });
  return all.slice(1).map((e) => {
    const tail = e.key.subarray(prefix.length);
    return { key: latin1(tail), values: decodeKeyValues(tail) };
  });
}

async function fill(r: Replica): Promise<void> {
  await r.change((tx) => {
    for (let i = 0; i < 12; i++)
      tx.insert('todos', { done: i % 3 === 0, order: (i * 7) % 12, meta: { title: `t${i % 5}` } }, `d${i}`);
    tx.insert('lists', { title: 'not indexed' }, 'l1');
  });
}

afterEach(() => vi.restoreAllMocks());

describe('secondary indexes', () => {
  it('persist one entry per visible doc in the same batch, and follow updates and deletes', async () => {
    const storage = createMemoryStorage();
    const r = await open(storage, [BY_DONE, BY_TITLE], true);
    await fill(r);
    await r.change((tx) => {
      tx.update('todos', 'd1', { order: 100 });
      tx.set('todos', 'd2', 'meta.title', 'zz');
      tx.delete('todos', 'd3');
    });
    for (const def of [BY_DONE, BY_TITLE]) {
      const idx = ext(r).indexes.get(def.name)!;
      expect(idx.size).toBe(11);
      expect((await stored(storage, def.name)).map((e) => e.key)).toEqual(idx.entries().map((e) => e.key));
    }
    const d1 = (await stored(storage, 'by_done_order')).find((e) => e.values[2] === 'd1');
    expect(d1?.values).toEqual([false, 100, 'd1']);
    expect((await stored(storage, 'by_title')).some((e) => e.values[1] === 'd3')).toBe(false);
    expect(
      r
        .query('todos')
        .where('meta.title', '==', 'zz')
        .run()
        .map((x) => x.id),
    ).toEqual(['d2']);
  });

  it('cold start loads entries from storage without recomputing docs', async () => {
    const storage = createMemoryStorage();
    const r1 = await open(storage, [BY_DONE, BY_TITLE], true);
    await fill(r1);
    const q = (r: Replica) => r.query('todos').where('done', '==', false).where('order', '>=', 3).orderBy('order');
    const expected = q(r1).run();
    const list = vi.spyOn(Materializer.prototype, 'list');
    const get = vi.spyOn(Materializer.prototype, 'get');
    const r2 = await open(storage, [BY_DONE, BY_TITLE]);
    expect(list).not.toHaveBeenCalled();
    expect(get).not.toHaveBeenCalled();
    expect([...ext(r2).lastLoad.values()]).toEqual(['stored', 'stored']);
    expect(ext(r2).indexes.get('by_done_order')!.entries()).toEqual(ext(r1).indexes.get('by_done_order')!.entries());
    expect(q(r2).explain()).toMatchObject({ plan: 'index', index: 'by_done_order', order: 'index' });
    expect(q(r2).run()).toEqual(expected);
    // Only the rows the index selected were read: 8 not-done docs, 5 of them with order ≥ 3.
    expect(get.mock.calls.length).toBeLessThanOrEqual(expected.length);
    expect(list).not.toHaveBeenCalled();
  });

  it('rebuilds from docs when a session ran without the index or its fields changed', async () => {
    const storage = createMemoryStorage();
    const r1 = await open(storage, [BY_DONE], true);
    await fill(r1);
    const r2 = await open(storage); // no indexes: its writes leave by_done_order stale
    await r2.change((tx) => tx.update('todos', 'd0', { done: false, order: -1 }));
    const r3 = await open(storage, [BY_DONE]);
    expect(ext(r3).lastLoad.get('by_done_order')).toBe('rebuilt');
    expect(r3.query('todos').where('done', '==', false).orderBy('order').limit(1).run()[0]?.id).toBe('d0');
    expect((await stored(storage, 'by_done_order')).length).toBe(12);
    const r4 = await open(storage, [{ ...BY_DONE, fields: ['done'] }]);
    expect(ext(r4).lastLoad.get('by_done_order')).toBe('rebuilt');
    expect((await stored(storage, 'by_done_order'))[0]!.values).toHaveLength(2);
    const r5 = await open(storage, [{ ...BY_DONE, fields: ['done'] }]);
    expect(ext(r5).lastLoad.get('by_done_order')).toBe('stored');
  });

  it('stay consistent with storage when a batch fails to write (E_QUOTA)', async () => {
    const storage = createMemoryStorage({ quotaBytes: 60_000 });
    const r = await open(storage, [BY_DONE], true);
    await fill(r);
    const results: unknown[] = [];
    r.subscribe(r.query('todos').where('done', '==', false).orderBy('order'), (d) => results.push(d.result));
    let failed = false;
    for (let i = 0; i < 200 && !failed; i++) {
      try {
        await r.change((tx) => tx.insert('todos', { done: false, order: i, pad: 'x'.repeat(500) }, `n${i}`));
      } catch (err) {
        expect(String(err)).toMatch(/E_QUOTA/);
        failed = true;
      }
    }
    expect(failed).toBe(true);
    const idx = ext(r).indexes.get('by_done_order')!;
    expect((await stored(storage, 'by_done_order')).map((e) => e.key)).toEqual(idx.entries().map((e) => e.key));
    const q = r.query('todos').where('done', '==', false).orderBy('order');
    expect(results[results.length - 1]).toEqual(q.run());
    expect(idx.size).toBe(r.list('todos').length);
  });

  it('rejects malformed definitions', async () => {
    const storage = createMemoryStorage();
    await expect(open(storage, [BY_DONE, BY_DONE], true)).rejects.toThrow(/E_INVALID_ARGUMENT/);
    await expect(open(createMemoryStorage(), [{ name: 'x', collection: 'todos', fields: [] }], true)).rejects.toThrow(
      /E_INVALID_ARGUMENT/,
    );
  });
});
