/**
 * A single database in its own SQLite file: the {@link SqliteStore} layout with one namespace.
 * The relay keeps all its databases in one store (sqlite-store.ts); this is for tools, tests and
 * embedders that want one file per database.
 */
import type { StorageAdapter } from '@weft/engine';
import { openSqliteStore, type SqliteStorageOptions } from './sqlite-store.ts';

export type { SqliteStorageOptions } from './sqlite-store.ts';

/**
 * Opens (creating if needed) the SQLite file at `path` as one {@link StorageAdapter}; closing the
 * adapter closes the file. Rejects with `E_STORAGE` when the file cannot be opened (missing
 * directory, not a database, another layout) and with `E_INVALID_ARGUMENT` for bad options.
 */
export async function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): Promise<StorageAdapter> {
  const store = await openSqliteStore(path, options);
  const db = store.database('default');
  return {
    name: db.name,
    get: (store, key) => db.get(store, key),
    getMany: (store, keys) => db.getMany(store, keys),
    scan: (store, options) => db.scan(store, options),
    write: (ops, options) => db.write(ops, options),
    async close() {
      await db.close();
      await store.close();
    },
  };
}
