/**
 * Test kit for the IndexedDB adapter in Node: fake-indexeddb installed globally (idb recognises
 * IndexedDB objects by the global classes), factories whose connections and transactions tests
 * can watch and break, and helpers to simulate aborts and a full disk.
 */
import 'fake-indexeddb/auto';
import {
  IDBFactory as FakeIDBFactory,
  IDBKeyRange as FakeIDBKeyRange,
  forceCloseDatabase as fakeForceClose,
} from 'fake-indexeddb';
import { openIndexedDbStorage, type IndexedDbStorageOptions } from './indexeddb-storage.ts';

export { FakeIDBFactory, FakeIDBKeyRange };

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

/** One mebibyte. */
export const MiB = 1024 * 1024;
/** Closes a connection as the browser does when it reclaims storage; fake-indexeddb mistypes its parameter. */
export const forceCloseDatabase = fakeForceClose as unknown as (db: IDBDatabase) => void;
let dbCounter = 0;

/** A database name no other test uses. */
export const freshDbName = (prefix = 'weft-test'): string => `${prefix}-${++dbCounter}`;

/** What a test can do to the connections and transactions the adapter opens. */
export interface Hooks {
  onConnection?: (db: IDBDatabase) => void;
  /** Called for every transaction; may replace it or throw. */
  onTransaction?: (tx: IDBTransaction, db: IDBDatabase) => void;
  /** Called before each `put` or `add`; may throw to simulate a failing request. */
  onPut?: (tx: IDBTransaction, value: Uint8Array) => void;
}

/** A fresh fake-indexeddb factory whose connections are instrumented with `hooks`. */
export function instrumentedFactory(hooks: Hooks = {}): {
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
          const add = os.add.bind(os);
          os.add = (value: unknown, key?: IDBValidKey) => {
            hooks.onPut?.(tx, value as Uint8Array);
            return add(value, key);
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

export const open = (factory: IDBFactory, options: IndexedDbStorageOptions = {}, name = freshDbName()) =>
  openIndexedDbStorage(name, { idbFactory: factory, idbKeyRange: FakeIDBKeyRange, ...options });

/**
 * Aborts `tx` with `tx.error` set to a DOMException named `name`, as a browser does when commit
 * fails. fake-indexeddb's internal `_abort` is the only way to get a non-null `tx.error`.
 */
export function internalAbort(tx: IDBTransaction, name: string): void {
  (tx as unknown as { _abort(name: string): void })._abort(name);
}

export const quotaError = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');

/** Simulates Chrome throwing QuotaExceededError from `put` once a transaction passes 1 MiB. */
export function fullFactory(): IDBFactory {
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
