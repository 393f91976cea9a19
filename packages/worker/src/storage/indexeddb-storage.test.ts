// idb recognises IndexedDB objects by the global classes (IDBRequest, IDBDatabase …), so the fake
// implementation must be installed globally; tests still inject their own factories.
import 'fake-indexeddb/auto';
import {
  IDBFactory as FakeIDBFactory,
  IDBKeyRange as FakeIDBKeyRange,
  forceCloseDatabase as fakeForceClose,
} from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { expectWeftError, runStorageAdapterTests } from '@weft/engine/testing';
import { openIndexedDbStorage } from './indexeddb-storage.ts';

// fake-indexeddb treats a zero-length ArrayBuffer key as detached (invalid) unless the runtime has
// ES2024 `ArrayBuffer.prototype.detached`, which Node 20 lacks; browsers accept empty binary keys.
// A detached buffer is the only kind a view cannot be constructed on.
if (!('detached' in ArrayBuffer.prototype)) {
  Object.defineProperty(ArrayBuffer.prototype, 'detached', {
    configurable: true,
    get(this: ArrayBuffer): boolean {
      if (this.byteLength !== 0) return false;
      try {
        new Uint8Array(this);
        return false;
      } catch {
        return true;
      }
    },
  });
}

const MiB = 1024 * 1024;
/** Closes a connection as the browser does when it reclaims storage; fake-indexeddb mistypes its parameter. */
const forceCloseDatabase = fakeForceClose as unknown as (db: IDBDatabase) => void;
let dbCounter = 0;

/** What a test can do to the connections and transactions the adapter opens. */
interface Hooks {
  onConnection?: (db: IDBDatabase) => void;
  /** Called for every transaction; may replace it or throw. */
  onTransaction?: (tx: IDBTransaction, db: IDBDatabase) => void;
  /** Called before each `put`; may throw to simulate a failing request. */
  onPut?: (tx: IDBTransaction, value: Uint8Array) => void;
}

/** A fresh fake-indexeddb factory whose connections are instrumented with `hooks`. */
function instrumentedFactory(hooks: Hooks = {}): {
  factory: IDBFactory;
  connections: IDBDatabase[];
  txCount: () => number;
} {
  const factory = new FakeIDBFactory();
  const connections: IDBDatabase[] = [];
  let txs = 0;
  const open = factory.open.bind(factory);
  factory.open = (name: string, version?: number) => {
    const req = open(name, version);
    // Registered before the adapter's onsuccess, so it patches the connection first.
    req.addEventListener('success', () => {
      const db = req.result;
      connections.push(db);
      const transaction = db.transaction.bind(db);
      db.transaction = ((stores: string | string[], mode?: IDBTransactionMode, opts?: IDBTransactionOptions) => {
        txs++;
        const tx = transaction(stores, mode, opts);
        const objectStore = tx.objectStore.bind(tx);
        tx.objectStore = (store: string) => {
          const os = objectStore(store);
          const put = os.put.bind(os);
          os.put = (value: unknown, key?: IDBValidKey) => {
            hooks.onPut?.(tx, value as Uint8Array);
            return put(value, key);
          };
          return os;
        };
        hooks.onTransaction?.(tx, db);
        return tx;
      }) as IDBDatabase['transaction'];
      hooks.onConnection?.(db);
    });
    return req;
  };
  return { factory, connections, txCount: () => txs };
}

const open = (factory: IDBFactory) =>
  openIndexedDbStorage(`weft-test-${++dbCounter}`, { idbFactory: factory, idbKeyRange: FakeIDBKeyRange });

/**
 * Aborts `tx` with `tx.error` set to a DOMException named `name`, as a browser does when commit
 * fails. fake-indexeddb's internal `_abort` is the only way to get a non-null `tx.error`.
 */
function internalAbort(tx: IDBTransaction, name: string): void {
  (tx as unknown as { _abort(name: string): void })._abort(name);
}

const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** Simulates Chrome throwing QuotaExceededError from `put` once a transaction passes 1 MiB. */
function fullFactory(): IDBFactory {
  const sizes = new WeakMap<IDBTransaction, number>();
  return instrumentedFactory({
    onPut(tx, value) {
      const size = (sizes.get(tx) ?? 0) + value.byteLength;
      sizes.set(tx, size);
      if (size > MiB) throw quotaError();
    },
  }).factory;
}

// The default path (idb's openDB on the global factory) and the injected-factory path.
runStorageAdapterTests('indexeddb (fake-indexeddb, global)', () => openIndexedDbStorage(`weft-global-${++dbCounter}`), {
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
    expect(txCount()).toBe(4); // write 1, failed write 2, retried write 2, scan
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
    let aborts = 1;
    const { factory, txCount } = instrumentedFactory({
      onTransaction(tx) {
        // What Safari reports when its IndexedDB server process goes away under a transaction.
        if (aborts-- > 0) queueMicrotask(() => internalAbort(tx, 'UnknownError'));
      },
    });
    const db = await open(factory);
    await db.write(put(1));
    expect(txCount()).toBe(2);
    expect((await db.get('docs', Uint8Array.of(1)))?.[0]).toBe(1);
    await db.close();
  });

  it('gives up with E_STORAGE when the retry fails too', async () => {
    const { factory, connections, txCount } = instrumentedFactory({
      onConnection: (conn) => conn.close(),
    });
    const db = await open(factory);
    await expectWeftError(db.write(put(1)), 'E_STORAGE');
    expect(txCount()).toBe(2);
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
