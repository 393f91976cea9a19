import { describe, expect, it } from 'vitest';
import { runStorageAdapterTests } from '@weft/engine/testing';
import type { StorageAdapter, WriteOp } from '@weft/engine';
import { decodeBatch, encodeBatch } from './indexeddb-journal.ts';
import { LastWriters, PendingBatch } from './indexeddb-overlay.ts';
import {
  FakeIDBFactory,
  freshDbName,
  fullFactory,
  instrumentedFactory,
  internalAbort,
  open,
} from './indexeddb-test-kit.test-support.ts';

// Every batch through the journal, so the whole port contract is checked on that path too.
runStorageAdapterTests(
  'indexeddb, every batch journaled (fake-indexeddb)',
  () => open(new FakeIDBFactory(), { journalMinOps: 1 }),
  {
    supportsQuota: true,
    makeFullAdapter: () => open(fullFactory(), { journalMinOps: 1 }),
    propertyRuns: 25,
  },
);

const u8 = (...b: number[]) => Uint8Array.from(b);
const key = (i: number) => u8(i >> 16, (i >> 8) & 0xff, i & 0xff);
const bigBatch = (n: number, value: number): WriteOp[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'put', store: 'docs', key: key(i), value: u8(value, i & 0xff) }));

/** What the stores hold, read through the adapter. */
const docs = async (db: StorageAdapter) => (await db.scan('docs')).map((e) => [...e.key, ...e.value].join('.'));

describe('indexeddb write-behind journal', () => {
  it('round-trips every op type through the record codec', () => {
    const ops: WriteOp[] = [
      { type: 'put', store: 'snapshots', key: u8(), value: new Uint8Array(300).fill(9) },
      { type: 'delete', store: 'meta', key: u8(0xff, 0) },
      { type: 'deleteRange', store: 'chain', gte: u8(1), lt: u8(2, 0) },
    ];
    expect(decodeBatch(encodeBatch(ops))).toEqual(ops);
  });

  it('commits a large batch as one strict journal put, then drains it in relaxed chunks', async () => {
    const seen: string[] = [];
    const { factory } = instrumentedFactory({
      onTransaction: (tx) => seen.push(`${tx.mode}:${tx.durability}:${[...tx.objectStoreNames].join(',')}`),
    });
    const db = await open(factory);
    await db.write(bigBatch(10_000, 1));
    expect(seen.slice(1, 2)).toEqual(['readwrite:strict:journal']);
    // Readable at once, before and while it drains.
    expect((await db.get('docs', key(9_999)))?.[0]).toBe(1);
    await db.drained();
    expect(seen.filter((s) => s === 'readwrite:relaxed:docs,journal-applied')).toHaveLength(3); // 4096-op chunks
    expect((await db.scan('docs')).length).toBe(10_000);
    await db.close();
  });

  it('keeps later small batches behind a journaled one, so the newest write wins', async () => {
    const db = await open(new FakeIDBFactory(), { journalMinOps: 100 });
    const big = db.write(bigBatch(500, 1));
    const small = db.write([{ type: 'put', store: 'docs', key: key(7), value: u8(2) }]);
    await Promise.all([big, small]);
    expect((await db.get('docs', key(7)))?.[0]).toBe(2);
    await (db as StorageAdapter & { drained(): Promise<void> }).drained();
    expect((await db.get('docs', key(7)))?.[0]).toBe(2);
    await db.close();
  });

  it('replays batches a crash left undrained, even half-drained, on the next open', async () => {
    const name = freshDbName();
    // The first drain chunk commits, then the "crash": every later drain transaction aborts.
    let chunks = 0;
    const crashing = instrumentedFactory({
      onTransaction(tx) {
        const names = [...tx.objectStoreNames];
        if (tx.mode === 'readwrite' && names.includes('journal-applied') && ++chunks > 1)
          queueMicrotask(() => internalAbort(tx, 'UnknownError'));
      },
    });
    const first = await open(crashing.factory, {}, name);
    await first.write(bigBatch(10_000, 3));
    await first.write([
      { type: 'deleteRange', store: 'docs', gte: key(100), lt: key(9_000) },
      ...bigBatch(1_100, 4).slice(1_000),
    ]);
    // One chunk in, then the second one fails (and its one retry too).
    for (let i = 0; i < 500 && chunks < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(chunks).toBe(3);
    await first.close();
    const row = (i: number, v: number) => [...key(i), v, i & 0xff].join('.');
    const expected = [
      ...Array.from({ length: 100 }, (_, i) => row(i, 3)),
      ...Array.from({ length: 100 }, (_, i) => row(1_000 + i, 4)),
      ...Array.from({ length: 1_000 }, (_, i) => row(9_000 + i, 3)),
    ];
    chunks = -1_000; // no more crashes
    const reopened = await open(crashing.factory, {}, name);
    expect(await docs(reopened)).toEqual(expected); // through the replayed journal
    await reopened.drained();
    expect(await docs(reopened)).toEqual(expected); // from the stores alone
    await reopened.close();
  });

  it('copies only what no later committed batch overwrites (invariant 4)', () => {
    const put = (k: number, v: number): WriteOp => ({ type: 'put', store: 'docs', key: key(k), value: u8(v) });
    const chunk: WriteOp[] = [
      put(1, 1),
      put(2, 1),
      { type: 'delete', store: 'docs', key: key(3) },
      { type: 'deleteRange', store: 'docs', gte: key(0), lt: key(9) },
      { type: 'put', store: 'meta', key: key(1), value: u8(1) },
    ];
    const batch = (seq: number, ops: WriteOp[], committed = true): PendingBatch => {
      const b = PendingBatch.fromRecord(seq, encodeBatch(ops));
      b.committed = committed;
      return b;
    };
    const first = batch(1, chunk);
    const later = batch(2, [put(1, 2), { type: 'delete', store: 'docs', key: key(3) }]);
    const ranged = batch(3, [{ type: 'deleteRange', store: 'docs', gte: key(2), lt: key(3) }]);
    const uncommitted = batch(4, [put(2, 4)], false);
    const writers = new LastWriters();
    writers.fold([first]);
    expect(writers.toCopy(chunk, 1)).toEqual(chunk);
    // Keys 1 and 3 are written again later; a later range and an uncommitted batch don't count.
    writers.fold([first, later, ranged, uncommitted]);
    expect(writers.toCopy(chunk, 1)).toEqual([chunk[1], chunk[3], chunk[4]]);
    writers.clear();
    expect(writers.toCopy(chunk, 1)).toEqual(chunk);
  });

  it('drains batches committed within the drain delay together, copying each key once', async () => {
    let drainPuts = 0;
    const { factory } = instrumentedFactory({
      onPut: (tx) => {
        if ([...tx.objectStoreNames].includes('journal-applied')) drainPuts++;
      },
    });
    const db = await open(factory, { journalMinOps: 100 });
    // Three batches over the same 2,000 keys, one after the other: a sync delivering batches.
    for (const v of [1, 2, 3]) await db.write(bigBatch(2_000, v));
    // Nothing drained yet (the delay), yet every read sees the newest batch.
    expect(drainPuts).toBe(0);
    expect((await db.get('docs', key(5)))?.[0]).toBe(3);
    await (db as StorageAdapter & { drained(): Promise<void> }).drained();
    const all = await db.scan('docs');
    expect(all).toHaveLength(2_000);
    expect(all.every((e) => e.value[0] === 3)).toBe(true);
    // Each key copied once, plus the drain's applied-marker puts.
    expect(drainPuts).toBeLessThan(2_000 + 10);
    await db.close();
  });
});
