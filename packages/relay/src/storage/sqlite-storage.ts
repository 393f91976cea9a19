/**
 * The relay's embedded {@link StorageAdapter}: one SQLite file per database, on `better-sqlite3`.
 *
 * Layout: one table per store, `(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID`, so each store is a
 * single B-tree ordered by key. SQLite compares two BLOBs with memcmp and then by length, which
 * is exactly the port's byte order (invariant 1): unsigned, shorter prefix first.
 *
 * Writes: the file runs in WAL mode and every `write()` is one `BEGIN IMMEDIATE` transaction, so
 * a batch is all or nothing (invariant 2) and its ops run in array order (invariant 3).
 * Durability is chosen per batch by switching `PRAGMA synchronous` before the transaction:
 *  - `strict` (the default) runs with `synchronous=FULL`: the WAL is fsynced at every commit, so
 *    an acknowledged batch survives a crash of the process, the OS or the power;
 *  - `relaxed` runs with `synchronous=NORMAL`: the commit reaches the WAL but the fsync waits for
 *    the next checkpoint (or the next strict batch, whose fsync covers everything before it).
 *    The batch survives a crash of the process; a power cut may drop it, never half of it.
 * The pragma is only issued when the level changes, so a run of same-durability batches pays
 * nothing for it.
 *
 * better-sqlite3 is synchronous: each call runs to completion inside its promise, so concurrent
 * calls apply in call order. Statements are prepared once per (store, shape) and cached.
 *
 * Errors (invariant 4): `SQLITE_FULL` (disk full, or the `maxPageCount` cap) → `E_QUOTA`;
 * calls after `close()` → `E_CLOSED`; malformed calls → `E_INVALID_ARGUMENT` before SQLite
 * sees them; anything else SQLite raises → `E_STORAGE`, with the SQLite code in `details`.
 */
import Database from 'better-sqlite3';
import {
  STORES,
  WeftError,
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
} from '@weft/engine';

/** Options for {@link openSqliteStorage}. */
export interface SqliteStorageOptions {
  /**
   * Caps the file at this many pages (`PRAGMA max_page_count`; pages are 4 KiB unless the file
   * says otherwise). A batch that would grow it further rejects with `E_QUOTA` and writes
   * nothing. Use it as a per-database storage quota, or to test the quota path.
   */
  readonly maxPageCount?: number;
  /** Milliseconds to wait for another connection's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** The on-disk layout version, kept in `PRAGMA user_version`. */
const SCHEMA_VERSION = 1;

type Db = Database.Database;
type Stmt = Database.Statement<unknown[], unknown>;
type Sync = 'FULL' | 'NORMAL';

/** A SQLite identifier for a store's table; store names are fixed, so quoting is enough. */
const table = (store: StoreName): string => `"kv_${store}"`;

/**
 * A plain Uint8Array over the bytes better-sqlite3 returned. It hands back a Buffer with its own
 * backing store; exposing a Buffer would give callers `slice()` that aliases instead of copying.
 */
function plain(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  return Uint8Array.prototype.slice.call(buf);
}

/** Maps whatever SQLite threw to the port's codes. */
function toWeftError(err: unknown, what: string): WeftError {
  if (err instanceof WeftError) return err;
  const sqliteCode = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const details = sqliteCode === undefined ? undefined : { sqliteCode };
  if (sqliteCode !== undefined && sqliteCode.startsWith('SQLITE_FULL')) {
    return new WeftError('E_QUOTA', `${what}: the database is full (${message})`, details);
  }
  return new WeftError('E_STORAGE', `${what}: ${message}`, details);
}

/** Prepared statements of one store, the scan ones built on first use. */
class StoreStatements {
  readonly get: Stmt;
  readonly put: Stmt;
  readonly del: Stmt;
  readonly delRange: Stmt;
  private readonly scans = new Map<number, Stmt>();

  constructor(
    private readonly db: Db,
    private readonly store: StoreName,
  ) {
    const t = table(store);
    this.get = db.prepare(`SELECT v FROM ${t} WHERE k = ?`).pluck();
    this.put = db.prepare(`INSERT OR REPLACE INTO ${t} (k, v) VALUES (?, ?)`);
    this.del = db.prepare(`DELETE FROM ${t} WHERE k = ?`);
    this.delRange = db.prepare(`DELETE FROM ${t} WHERE k >= ? AND k < ?`);
  }

  /** The scan statement for this combination of bounds and direction; binds `[gte], [lt], limit`. */
  scan(hasGte: boolean, hasLt: boolean, reverse: boolean): Stmt {
    const shape = (hasGte ? 1 : 0) | (hasLt ? 2 : 0) | (reverse ? 4 : 0);
    let stmt = this.scans.get(shape);
    if (stmt === undefined) {
      const where = [hasGte ? 'k >= ?' : '', hasLt ? 'k < ?' : ''].filter((s) => s !== '').join(' AND ');
      const sql =
        `SELECT k, v FROM ${table(this.store)}` +
        (where === '' ? '' : ` WHERE ${where}`) +
        ` ORDER BY k ${reverse ? 'DESC' : 'ASC'} LIMIT ?`;
      stmt = this.db.prepare(sql).raw();
      this.scans.set(shape, stmt);
    }
    return stmt;
  }
}

/** Opens (creating if needed) the schema and settings of a fresh connection. */
function setUp(db: Db, options: SqliteStorageOptions): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new WeftError(
      'E_STORAGE',
      `sqlite storage: file has layout version ${version}, newer than ${SCHEMA_VERSION}`,
      {
        version,
      },
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.transaction(() => {
    for (const store of STORES) {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${table(store)} (k BLOB PRIMARY KEY NOT NULL, v BLOB NOT NULL) WITHOUT ROWID`,
      );
    }
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
}

/**
 * Opens the SQLite file at `path` (created with its tables if missing) as a {@link StorageAdapter}.
 * Rejects with `E_STORAGE` when the file cannot be opened (missing directory, not a database, a
 * newer layout) and with `E_INVALID_ARGUMENT` for bad options.
 */
export async function openSqliteStorage(path: string, options: SqliteStorageOptions = {}): Promise<StorageAdapter> {
  if (typeof path !== 'string' || path === '') {
    throw new WeftError('E_INVALID_ARGUMENT', 'sqlite storage: path must be a non-empty string');
  }
  for (const [name, value, min] of [
    ['maxPageCount', options.maxPageCount, 1],
    ['busyTimeoutMs', options.busyTimeoutMs, 0],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
      throw new WeftError('E_INVALID_ARGUMENT', `sqlite storage: ${name} must be an integer >= ${min}, got ${value}`);
    }
  }
  let db: Db | undefined;
  let statements: Map<StoreName, StoreStatements>;
  try {
    db = new Database(path);
    setUp(db, options);
    const opened = db;
    statements = new Map(STORES.map((s) => [s, new StoreStatements(opened, s)]));
  } catch (err) {
    db?.close();
    throw toWeftError(err, `sqlite storage: cannot open ${path}`);
  }
  const conn: Db = db;
  const setSync: Record<Sync, Stmt> = {
    FULL: conn.prepare('PRAGMA synchronous = FULL'),
    NORMAL: conn.prepare('PRAGMA synchronous = NORMAL'),
  };
  let sync: Sync = 'FULL';
  let closed = false;

  /** The statements of `store`, after the closed and store-name checks every call makes. */
  const open = (store: StoreName): StoreStatements => {
    if (closed) throw new WeftError('E_CLOSED', 'sqlite storage is closed');
    checkStoreName(store);
    return statements.get(store)!;
  };

  const apply = (op: WriteOp): void => {
    const s = statements.get(op.store)!;
    if (op.type === 'put') s.put.run(op.key, op.value);
    else if (op.type === 'delete') s.del.run(op.key);
    else s.delRange.run(op.gte, op.lt);
  };
  const applyAll = conn.transaction((ops: readonly WriteOp[]) => {
    for (const op of ops) apply(op);
  });

  return {
    name: 'sqlite',

    async get(store, key) {
      const s = open(store);
      checkBytes(key, 'key');
      try {
        const v = s.get.get(key) as Uint8Array | undefined;
        return v === undefined ? undefined : plain(v);
      } catch (err) {
        throw toWeftError(err, 'sqlite storage: get');
      }
    },

    async getMany(store, keys) {
      const s = open(store);
      if (!Array.isArray(keys)) throw new WeftError('E_INVALID_ARGUMENT', 'keys must be an array');
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      try {
        return keys.map((k) => {
          const v = s.get.get(k) as Uint8Array | undefined;
          return v === undefined ? undefined : plain(v);
        });
      } catch (err) {
        throw toWeftError(err, 'sqlite storage: getMany');
      }
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      const s = open(store);
      checkScanOptions(scanOptions);
      const { gte, lt, reverse = false, limit } = scanOptions;
      const params: unknown[] = [];
      if (gte !== undefined) params.push(gte);
      if (lt !== undefined) params.push(lt);
      // LIMIT -1 is SQLite for "no limit".
      params.push(limit ?? -1);
      try {
        const rows = s.scan(gte !== undefined, lt !== undefined, reverse).all(...params) as [Uint8Array, Uint8Array][];
        return rows.map(([k, v]): Entry => ({ key: plain(k), value: plain(v) }));
      } catch (err) {
        throw toWeftError(err, 'sqlite storage: scan');
      }
    },

    async write(ops, writeOptions?: WriteOptions) {
      if (closed) throw new WeftError('E_CLOSED', 'sqlite storage is closed');
      validateWriteOps(ops);
      if (ops.length === 0) return;
      const want: Sync = writeOptions?.durability === 'relaxed' ? 'NORMAL' : 'FULL';
      try {
        if (want !== sync) {
          setSync[want].run();
          sync = want;
        }
        // BEGIN IMMEDIATE: take the write lock up front rather than upgrading mid-batch.
        applyAll.immediate(ops);
      } catch (err) {
        throw toWeftError(err, 'sqlite storage: write');
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        // Closing the last connection checkpoints the WAL into the main file.
        conn.close();
      } catch (err) {
        throw toWeftError(err, 'sqlite storage: close');
      }
    },
  };
}
