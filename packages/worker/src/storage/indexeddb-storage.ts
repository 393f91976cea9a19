/**
 * The IndexedDB {@link StorageAdapter}: one object store per {@link StoreName}, out-of-line
 * binary keys (IndexedDB orders them byte-wise, unsigned, shorter prefix first, as the port
 * requires) and `Uint8Array` values.
 *
 * Written against the raw IndexedDB API rather than a promise wrapper because the rules that
 * matter here are about transaction lifetime: a batch issues every request synchronously and
 * then only waits for the transaction's own events, so nothing can auto-commit it half-way.
 */
import { compareBytes as compare } from '../../../engine/src/bytes.ts';
import { WeftError } from '../../../engine/src/errors.ts';
import {
  STORES,
  checkBytes,
  checkScanOptions,
  checkStoreName,
  validateWriteOps,
  type Entry,
  type ScanOptions,
  type StorageAdapter,
  type StoreName,
  type WriteOp,
  type WriteOptions,
} from '../../../engine/src/storage/storage-port.ts';
import { mapIdbError, isConnectionLoss } from './indexeddb-errors.ts';

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

const SCHEMA_VERSION = 1;

/** Opens (creating or upgrading) the database; rejects with the raw IndexedDB error. */
function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(name, SCHEMA_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const store of STORES) if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new DOMException('open failed', 'UnknownError'));
  });
}

/**
 * The exact bytes of `bytes` as an ArrayBuffer key. Views are copied because IndexedDB
 * implementations disagree on whether a view key means the view or its whole buffer.
 */
function toKey(bytes: Uint8Array): ArrayBuffer {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return buf;
  return new Uint8Array(bytes).buffer;
}

/** A value to store: structured clone copies a view's whole buffer, so trim views first. */
function toValue(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes);
}

/** A stored value as bytes. */
function fromValue(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new WeftError('E_STORAGE', 'IndexedDB holds a value that is not bytes');
}

/** A stored binary key as bytes. */
function fromKey(key: IDBValidKey): Uint8Array {
  if (key instanceof ArrayBuffer) return new Uint8Array(key);
  if (ArrayBuffer.isView(key)) return new Uint8Array(key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength));
  throw new WeftError('E_STORAGE', 'IndexedDB holds a key that is not bytes');
}

/** Settles with a request's outcome. */
function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves when `tx` commits; rejects with its error (or an AbortError) when it aborts. */
function settled(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

/**
 * Opens an IndexedDB-backed adapter on database `name`, creating the object stores on first
 * use. Rejects with `E_STORAGE` when IndexedDB is unavailable or refuses to open.
 */
export async function openIndexedDbStorage(
  name: string,
  options: IndexedDbStorageOptions = {},
): Promise<StorageAdapter> {
  const factory = options.idbFactory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  const KeyRange = options.idbKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  if (factory === undefined || KeyRange === undefined) throw new WeftError('E_STORAGE', 'IndexedDB is not available');

  let conn: IDBDatabase | undefined;
  // Shared by concurrent callers, so a reopen makes one connection rather than one each.
  let opening: Promise<IDBDatabase> | undefined;
  let closed = false;

  const reopen = async (): Promise<IDBDatabase> => {
    const db = await openDatabase(factory, name).catch((err: unknown) => {
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
  const connect = (): Promise<IDBDatabase> => {
    if (conn !== undefined) return Promise.resolve(conn);
    opening ??= reopen().finally(() => {
      opening = undefined;
    });
    return opening;
  };
  const drop = (db: IDBDatabase): void => {
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
    stores: readonly StoreName[],
    mode: IDBTransactionMode,
    durability: IDBTransactionDurability,
    body: (tx: IDBTransaction) => Promise<T>,
  ): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      checkOpen();
      const db = await connect();
      try {
        const tx =
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

  const applyOps = (tx: IDBTransaction, ops: readonly WriteOp[]): void => {
    const handles = new Map<StoreName, IDBObjectStore>();
    const storeOf = (s: StoreName): IDBObjectStore => {
      let h = handles.get(s);
      if (h === undefined) handles.set(s, (h = tx.objectStore(s)));
      return h;
    };
    for (const op of ops) {
      const store = storeOf(op.store);
      if (op.type === 'put') store.put(toValue(op.value), toKey(op.key));
      else if (op.type === 'delete') store.delete(toKey(op.key));
      // IDBKeyRange.bound throws on an empty or inverted range; the port makes those no-ops.
      else if (compare(op.gte, op.lt) < 0) store.delete(KeyRange.bound(toKey(op.gte), toKey(op.lt), false, true));
    }
  };

  // Open now so that a missing or broken IndexedDB fails here, not on the first read.
  await connect();

  return {
    name: 'indexeddb',

    async get(store, key) {
      checkOpen();
      checkStoreName(store);
      checkBytes(key, 'key');
      return run([store], 'readonly', 'default', async (tx) =>
        fromValue(await request(tx.objectStore(store).get(toKey(key)))),
      );
    },

    async getMany(store, keys) {
      checkOpen();
      checkStoreName(store);
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      if (keys.length === 0) return [];
      return run([store], 'readonly', 'default', async (tx) => {
        const os = tx.objectStore(store);
        const values = await Promise.all(keys.map((k) => request(os.get(toKey(k)))));
        return values.map(fromValue);
      });
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      checkOpen();
      checkStoreName(store);
      checkScanOptions(scanOptions);
      const { gte, lt, reverse = false, limit } = scanOptions;
      if (limit === 0 || (gte !== undefined && lt !== undefined && compare(gte, lt) >= 0)) return [];
      const range =
        gte !== undefined && lt !== undefined
          ? KeyRange.bound(toKey(gte), toKey(lt), false, true)
          : gte !== undefined
            ? KeyRange.lowerBound(toKey(gte))
            : lt !== undefined
              ? KeyRange.upperBound(toKey(lt), true)
              : null;
      return run([store], 'readonly', 'default', async (tx) => {
        const os = tx.objectStore(store);
        if (!reverse) {
          // Both requests run in one transaction, so keys and values line up.
          const [keys, values] = await Promise.all([
            request(os.getAllKeys(range, limit)),
            request(os.getAll(range, limit)),
          ]);
          return keys.map((k, i): Entry => ({ key: fromKey(k), value: fromValue(values[i])! }));
        }
        return reverseScan(os.openCursor(range, 'prev'), limit ?? Infinity);
      });
    },

    async write(ops, writeOptions: WriteOptions = {}) {
      checkOpen();
      validateWriteOps(ops);
      if (ops.length === 0) return;
      const stores = [...new Set(ops.map((op) => op.store))];
      await run(stores, 'readwrite', writeOptions.durability ?? 'strict', async (tx) => {
        const done = settled(tx);
        try {
          applyOps(tx, ops);
        } catch (err) {
          // A request threw synchronously (e.g. QuotaExceededError): abort so nothing applies.
          done.catch(() => undefined);
          try {
            tx.abort();
          } catch {
            // Already aborted by the failure itself.
          }
          throw err;
        }
        // Commit now rather than when the event loop notices there are no more requests.
        if (typeof tx.commit === 'function') tx.commit();
        await done;
      });
    },

    async close() {
      closed = true;
      if (conn !== undefined) drop(conn);
    },
  };
}

/** Collects up to `limit` entries from a descending cursor. */
function reverseScan(req: IDBRequest<IDBCursorWithValue | null>, limit: number): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const out: Entry[] = [];
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      // A throw escaping an IDB event handler aborts the transaction without settling us.
      try {
        const cursor = req.result;
        if (cursor === null) return resolve(out);
        out.push({ key: fromKey(cursor.primaryKey), value: fromValue(cursor.value)! });
        if (out.length >= limit) resolve(out);
        else cursor.continue();
      } catch (err) {
        reject(err);
      }
    };
  });
}
