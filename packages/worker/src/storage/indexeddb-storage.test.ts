import { describe, expect, it } from 'vitest';
import { expectWeftError, runStorageAdapterTests } from '@weft/engine/testing';
import { openIndexedDbStorage } from './indexeddb-storage.ts';
import {
  FakeIDBFactory,
  FakeIDBKeyRange,
  forceCloseDatabase,
  freshDbName,
  fullFactory,
  instrumentedFactory,
  internalAbort,
  open,
  quotaError,
} from './indexeddb-test-kit.test-support.ts';

runStorageAdapterTests('indexeddb (fake-indexeddb, global)', () => openIndexedDbStorage(freshDbName('weft-global')), {
  propertyRuns: 10,
});
runStorageAdapterTests('indexeddb (fake-indexeddb)', () => open(new FakeIDBFactory()), {
  supportsQuota: true,
  makeFullAdapter: () => open(fullFactory()),
});

describe('indexeddb storage: transactions', () => {
  it('writes with durability strict unless asked for relaxed, reads in one readonly transaction', async () => {
    const seen: string[] = [];
    const { factory } = instrumentedFactory({
      onTransaction: (tx) => seen.push(`${tx.mode}:${tx.durability}:${[...tx.objectStoreNames].join(',')}`),
    });
    const db = await open(factory);
    const key = Uint8Array.of(1);
    await db.write([
      { type: 'put', store: 'meta', key, value: key },
      { type: 'put', store: 'docs', key, value: key },
      { type: 'delete', store: 'meta', key },
    ]);
    await db.write([{ type: 'put', store: 'docs', key, value: key }], { durability: 'relaxed' });
    await db.write([{ type: 'put', store: 'docs', key, value: key }], { durability: 'strict' });
    await db.getMany('docs', [key, key, Uint8Array.of(2)]);
    await db.scan('docs', { reverse: true, limit: 1 });
    expect(seen).toEqual([
      'readonly:default:journal,journal-applied', // open: pick up what a crash left in the journal
      'readwrite:strict:docs,meta',
      'readwrite:relaxed:docs',
      'readwrite:strict:docs',
      'readonly:default:docs',
      'readonly:default:docs',
    ]);
    await db.close();
  });
});

describe('indexeddb storage: opening', () => {
  it('rejects with E_STORAGE when the database cannot be opened', async () => {
    const factory = new FakeIDBFactory();
    // A newer schema version on disk makes open() fail with VersionError.
    await new Promise<void>((resolve, reject) => {
      const req = factory.open('weft-newer', 99);
      req.onsuccess = () => (req.result.close(), resolve());
      req.onerror = () => reject(req.error);
    });
    const err = await expectWeftError(
      openIndexedDbStorage('weft-newer', { idbFactory: factory, idbKeyRange: FakeIDBKeyRange }),
      'E_STORAGE',
    );
    expect(err.details).toEqual({ name: 'VersionError' });
  });
});

describe('indexeddb storage: connection loss', () => {
  const put = (k: number) => [
    { type: 'put' as const, store: 'docs' as const, key: Uint8Array.of(k), value: Uint8Array.of(k) },
  ];

  it('reopens and retries once when transaction() throws InvalidStateError', async () => {
    const { factory, connections, txCount } = instrumentedFactory();
    const db = await open(factory);
    await db.write(put(1));
    // Closing behind the adapter's back fires no `close` event, like Safari's silent drop.
    connections[0]!.close();
    await db.write(put(2));
    expect((await db.scan('docs')).map((e) => e.key[0])).toEqual([1, 2]);
    expect(connections.length).toBe(2);
    expect(txCount()).toBe(5); // open, write 1, failed write 2, retried write 2, scan
    await db.close();
  });

  it('shares one reopen between concurrent calls', async () => {
    const { factory, connections } = instrumentedFactory();
    const db = await open(factory);
    connections[0]!.close();
    const got = await Promise.all([1, 2, 3].map((k) => db.get('docs', Uint8Array.of(k))));
    expect(got).toEqual([undefined, undefined, undefined]);
    expect(connections.length).toBe(2);
    await db.close();
  });

  it('reopens after the connection fires close (forced close)', async () => {
    const { factory, connections } = instrumentedFactory();
    const db = await open(factory);
    await db.write(put(1));
    forceCloseDatabase(connections[0]!);
    expect((await db.get('docs', Uint8Array.of(1)))?.[0]).toBe(1);
    expect(connections.length).toBe(2);
    await db.close();
  });

  it('retries a transaction aborted by the connection going away, once', async () => {
    let aborts = 0;
    const { factory, txCount } = instrumentedFactory({
      onTransaction(tx) {
        // What Safari reports when its IndexedDB server process goes away under a transaction.
        if (aborts-- > 0) queueMicrotask(() => internalAbort(tx, 'UnknownError'));
      },
    });
    const db = await open(factory);
    aborts = 1;
    await db.write(put(1));
    expect(txCount()).toBe(3); // open, aborted write, retried write
    expect((await db.get('docs', Uint8Array.of(1)))?.[0]).toBe(1);
    await db.close();
  });

  it('gives up with E_STORAGE when the retry fails too', async () => {
    let armed = false;
    const { factory, connections, txCount } = instrumentedFactory({
      onConnection: (conn) => armed && conn.close(),
    });
    const db = await open(factory);
    armed = true;
    connections[0]!.close();
    await expectWeftError(db.write(put(1)), 'E_STORAGE');
    expect(txCount()).toBe(3); // open, failed write, failed retry
    expect(connections.length).toBe(2);
    await db.close();
  });
});

describe('indexeddb storage: quota', () => {
  const batch = [
    { type: 'put' as const, store: 'docs' as const, key: Uint8Array.of(1), value: Uint8Array.of(9) },
    { type: 'delete' as const, store: 'meta' as const, key: Uint8Array.of(1) },
    { type: 'put' as const, store: 'snapshots' as const, key: Uint8Array.of(2), value: Uint8Array.of(9) },
  ];
  const seed = [
    { type: 'put' as const, store: 'docs' as const, key: Uint8Array.of(1), value: Uint8Array.of(1) },
    { type: 'put' as const, store: 'meta' as const, key: Uint8Array.of(1), value: Uint8Array.of(1) },
  ];
  const state = async (db: Awaited<ReturnType<typeof open>>) =>
    Promise.all([
      db.get('docs', Uint8Array.of(1)),
      db.get('meta', Uint8Array.of(1)),
      db.get('snapshots', Uint8Array.of(2)),
    ]);

  it('maps a QuotaExceededError thrown by put to E_QUOTA and writes nothing', async () => {
    let armed = false;
    let puts = 0;
    const { factory, txCount } = instrumentedFactory({
      onPut() {
        // The second put of the armed batch fails, after the first and the delete were issued.
        if (armed && ++puts === 2) throw quotaError();
      },
    });
    const db = await open(factory);
    await db.write(seed);
    armed = true;
    const before = txCount();
    const err = await expectWeftError(db.write(batch), 'E_QUOTA');
    expect(err.details).toEqual({ name: 'QuotaExceededError' });
    expect(txCount() - before).toBe(1); // a full disk is not a lost connection: no retry
    expect(await state(db)).toEqual([Uint8Array.of(1), Uint8Array.of(1), undefined]);
    await db.close();
  });

  it('maps a transaction aborted with QuotaExceededError to E_QUOTA and writes nothing', async () => {
    let armed = false;
    const { factory, txCount } = instrumentedFactory({
      onTransaction(tx) {
        if (!armed) return;
        // Chrome reports a full origin at commit time: the transaction aborts with tx.error set.
        // fake-indexeddb's internal _abort(name) is the one way to reproduce that error.
        queueMicrotask(() => internalAbort(tx, 'QuotaExceededError'));
      },
    });
    const db = await open(factory);
    await db.write(seed);
    armed = true;
    const before = txCount();
    await expectWeftError(db.write(batch), 'E_QUOTA');
    expect(txCount() - before).toBe(1);
    armed = false;
    expect(await state(db)).toEqual([Uint8Array.of(1), Uint8Array.of(1), undefined]);
    await db.close();
  });
});
