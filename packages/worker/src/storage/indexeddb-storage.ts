/**
 * The IndexedDB {@link StorageAdapter}, on `idb`: the typed schema and the open/upgrade live in
 * indexeddb-schema.ts, the error mapping in indexeddb-errors.ts.
 *
 * The rules that matter here are about transaction lifetime: a batch issues every request
 * synchronously and then only waits for the transaction's own completion, so nothing can
 * auto-commit it half-way. Batch puts go to the unwrapped store: a promise per request is pure
 * overhead on the bulk path (an insert of 10,000 docs is ~90,000 puts), and a failing request
 * aborts the transaction, which `tx.done` reports.
 */
import { unwrap, type IDBPTransaction } from 'idb';
import {
  WeftError,
  checkBytes,
  checkScanOptions,
  checkStoreName,
  compareBytes as compare,
  validateWriteOps,
  type Entry,
  type ScanOptions,
  type StorageAdapter,
  type StoreName,
  type WriteOp,
  type WriteOptions,
} from '@weft/engine';
import { mapIdbError, isConnectionLoss } from './indexeddb-errors.ts';
import {
  fromKey,
  fromValue,
  openWeftIdb,
  toKey,
  toValue,
  type WeftIdb,
  type WeftIdbSchema,
} from './indexeddb-schema.ts';

/** Options for {@link openIndexedDbStorage}. */
export interface IndexedDbStorageOptions {
  /** The factory to open with; defaults to the global `indexedDB`. Tests pass `fake-indexeddb`'s. */
  readonly idbFactory?: IDBFactory;
  /**
   * The `IDBKeyRange` of the same implementation as {@link idbFactory}: ranges from another
   * implementation are rejected. Defaults to the global one.
   */
  readonly idbKeyRange?: typeof IDBKeyRange;
}

type Tx = IDBPTransaction<WeftIdbSchema, StoreName[], IDBTransactionMode>;

/**
 * Opens an IndexedDB-backed adapter on database `name`, creating the object stores on first
 * use. Rejects with `E_STORAGE` when IndexedDB is unavailable or refuses to open.
 */
export async function openIndexedDbStorage(
  name: string,
  options: IndexedDbStorageOptions = {},
): Promise<StorageAdapter> {
  const g = globalThis as { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange };
  const factory = options.idbFactory;
  const KeyRange = options.idbKeyRange ?? g.IDBKeyRange;
  if ((factory ?? g.indexedDB) === undefined || KeyRange === undefined)
    throw new WeftError('E_STORAGE', 'IndexedDB is not available');

  let conn: WeftIdb | undefined;
  // Shared by concurrent callers, so a reopen makes one connection rather than one each.
  let opening: Promise<WeftIdb> | undefined;
  let closed = false;

  const reopen = async (): Promise<WeftIdb> => {
    const db = await openWeftIdb(name, factory).catch((err: unknown) => {
      throw mapIdbError(err, `open ${name}`);
    });
    if (closed) {
      db.close();
      throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
    }
    // Safari drops connections (and fires `close`) when it reclaims the backing store; forget
    // this one so the next call reopens instead of failing forever.
    db.addEventListener('close', () => drop(db));
    // Another tab wants to upgrade or delete the database: get out of its way.
    db.addEventListener('versionchange', () => drop(db));
    conn = db;
    return db;
  };
  const connect = (): Promise<WeftIdb> => {
    if (conn !== undefined) return Promise.resolve(conn);
    opening ??= reopen().finally(() => {
      opening = undefined;
    });
    return opening;
  };
  const drop = (db: WeftIdb): void => {
    db.close();
    if (conn === db) conn = undefined;
  };
  const checkOpen = (): void => {
    if (closed) throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
  };

  /**
   * Runs `body` in one transaction, reopening the connection and retrying once if it was lost.
   * `body` must only wait on requests of `tx` (any other await lets the transaction commit).
   */
  const run = async <T>(
    stores: StoreName[],
    mode: IDBTransactionMode,
    durability: IDBTransactionDurability,
    body: (tx: Tx) => Promise<T>,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      checkOpen();
      const db = await connect();
      try {
        const tx: Tx =
          mode === 'readwrite' ? db.transaction(stores, mode, { durability }) : db.transaction(stores, 'readonly');
        return await body(tx);
      } catch (err) {
        if (closed) throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
        if (attempt === 0 && isConnectionLoss(err)) {
          drop(db);
          continue;
        }
        throw mapIdbError(err, mode === 'readwrite' ? 'write' : 'read');
      }
    }
  };

  /** Issues every op as a raw request, synchronously, on the unwrapped transaction. */
  const applyOps = (tx: IDBTransaction, ops: readonly WriteOp[]): void => {
    const handles = new Map<StoreName, IDBObjectStore>();
    for (const op of ops) {
      let store = handles.get(op.store);
      if (store === undefined) handles.set(op.store, (store = tx.objectStore(op.store)));
      if (op.type === 'put') store.put(toValue(op.value), toKey(op.key));
      else if (op.type === 'delete') store.delete(toKey(op.key));
      // IDBKeyRange.bound throws on an empty or inverted range; the port makes those no-ops.
      else if (compare(op.gte, op.lt) < 0) store.delete(KeyRange.bound(toKey(op.gte), toKey(op.lt), false, true));
    }
  };

  const rangeOf = (gte: Uint8Array | undefined, lt: Uint8Array | undefined): IDBKeyRange | null =>
    gte !== undefined && lt !== undefined
      ? KeyRange.bound(toKey(gte), toKey(lt), false, true)
      : gte !== undefined
        ? KeyRange.lowerBound(toKey(gte))
        : lt !== undefined
          ? KeyRange.upperBound(toKey(lt), true)
          : null;

  // Open now so that a missing or broken IndexedDB fails here, not on the first read.
  await connect();

  return {
    name: 'indexeddb',

    async get(store, key) {
      checkOpen();
      checkStoreName(store);
      checkBytes(key, 'key');
      return run([store], 'readonly', 'default', async (tx) => fromValue(await tx.objectStore(store).get(toKey(key))));
    },

    async getMany(store, keys) {
      checkOpen();
      checkStoreName(store);
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      if (keys.length === 0) return [];
      return run([store], 'readonly', 'default', async (tx) => {
        const os = tx.objectStore(store);
        const values = await Promise.all(keys.map((k) => os.get(toKey(k))));
        return values.map(fromValue);
      });
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      checkOpen();
      checkStoreName(store);
      checkScanOptions(scanOptions);
      const { gte, lt, reverse = false, limit } = scanOptions;
      if (limit === 0 || (gte !== undefined && lt !== undefined && compare(gte, lt) >= 0)) return [];
      const range = rangeOf(gte, lt);
      return run([store], 'readonly', 'default', async (tx) => {
        const os = tx.objectStore(store);
        if (!reverse) {
          // Both requests run in one transaction, so keys and values line up.
          const [keys, values] = await Promise.all([os.getAllKeys(range, limit), os.getAll(range, limit)]);
          return keys.map((k, i): Entry => ({ key: fromKey(k), value: fromValue(values[i])! }));
        }
        const out: Entry[] = [];
        const max = limit ?? Infinity;
        for (let c = await os.openCursor(range, 'prev'); c !== null && out.length < max; c = await c.continue())
          out.push({ key: fromKey(c.primaryKey), value: fromValue(c.value)! });
        return out;
      });
    },

    async write(ops, writeOptions: WriteOptions = {}) {
      checkOpen();
      validateWriteOps(ops);
      if (ops.length === 0) return;
      const stores = [...new Set(ops.map((op) => op.store))];
      await run(stores, 'readwrite', writeOptions.durability ?? 'strict', async (tx) => {
        const done = tx.done;
        const raw = unwrap(tx) as IDBTransaction;
        try {
          applyOps(raw, ops);
        } catch (err) {
          // A request threw synchronously (e.g. QuotaExceededError): abort so nothing applies.
          done.catch(() => undefined);
          try {
            raw.abort();
          } catch {
            // Already aborted by the failure itself.
          }
          throw err;
        }
        // Commit now rather than when the event loop notices there are no more requests.
        if (typeof raw.commit === 'function') raw.commit();
        await done;
      });
    },

    async close() {
      closed = true;
      if (conn !== undefined) drop(conn);
    },
  };
}
