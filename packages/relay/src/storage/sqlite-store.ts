/**
 * The relay's embedded storage: ONE SQLite file (on `better-sqlite3`) holding every hosted
 * database, each seen through its own {@link StorageAdapter} ({@link SqliteStore.database}).
 * One connection for a thousand databases keeps the relay's memory flat (a connection per
 * database costs ~400 KiB of page cache and handles) and lets their commits share fsyncs.
 *
 * Layout (version 2): a `namespaces(name, ns)` table numbers the databases, and each store is
 * one table `(ns INTEGER, k BLOB, v BLOB, PRIMARY KEY (ns, k)) WITHOUT ROWID`, so one database's
 * store is a contiguous key range of a single B-tree.
 *
 * Invariants:
 *  1. Order: within a namespace, SQLite compares BLOBs with memcmp and then by length, which is
 *     exactly the port's byte order (unsigned, shorter prefix first).
 *  2. Atomicity: each `write()` applies all of its ops or none, in array order.
 *  3. Group commit: batches written in the same turn of the event loop (from any database) are
 *     committed in ONE transaction, in call order, after the turn. If that transaction fails,
 *     each batch is retried alone, so one batch's failure (e.g. `E_QUOTA`) never fails another.
 *     A batch's promise resolves only after its transaction committed.
 *  4. Read-your-writes: every read first commits the batches still queued, so a read issued
 *     after a write (in call order) sees it.
 *  5. Durability per transaction: `synchronous=FULL` (fsync at commit) when any batch in it
 *     asked for `strict` (the default), `NORMAL` when all were `relaxed`.
 *
 * Errors: `SQLITE_FULL` (disk full, or the `maxPageCount` cap) → `E_QUOTA`; calls after close →
 * `E_CLOSED`; malformed calls → `E_INVALID_ARGUMENT` before SQLite sees them; anything else
 * SQLite raises → `E_STORAGE`, with the SQLite code in `details`.
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

/** Options for {@link openSqliteStore}. */
export interface SqliteStorageOptions {
  /**
   * Caps the file at this many pages (`PRAGMA max_page_count`; pages are 4 KiB unless the file
   * says otherwise). A batch that would grow it further rejects with `E_QUOTA` and writes
   * nothing. Use it as a storage quota, or to test the quota path.
   */
  readonly maxPageCount?: number;
  /** Milliseconds to wait for another connection's lock before failing (default 5000). */
  readonly busyTimeoutMs?: number;
}

/** A SQLite file holding many databases. */
export interface SqliteStore {
  /** The storage of database `name` (created on first write); one adapter per name at a time. */
  database(name: string): StorageAdapter;
  /** Databases opened through {@link database} and not closed. */
  readonly openDatabases: number;
  /** Transactions committed so far (several databases' batches may share one: invariant 3). */
  readonly commits: number;
  /** Commits what is queued and closes the file (checkpointing the WAL). */
  close(): Promise<void>;
}

/** The on-disk layout version, kept in `PRAGMA user_version`. */
const SCHEMA_VERSION = 2;

type Db = Database.Database;
type Stmt = Database.Statement<unknown[], unknown>;
type Sync = 'FULL' | 'NORMAL';

const table = (store: StoreName): string => `"s_${store}"`;

/** A plain Uint8Array over bytes better-sqlite3 returned (a Buffer's `slice()` would alias). */
function plain(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength)
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  return Uint8Array.prototype.slice.call(buf);
}

/** Maps whatever SQLite threw to the port's codes. */
export function sqliteError(err: unknown, what: string): WeftError {
  if (err instanceof WeftError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const details = code === undefined ? undefined : { sqliteCode: code };
  if (code !== undefined && code.startsWith('SQLITE_FULL'))
    return new WeftError('E_QUOTA', `${what}: the database is full (${message})`, details);
  return new WeftError('E_STORAGE', `${what}: ${message}`, details);
}

/** Prepared statements of one store; scan shapes are built on first use. */
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
    this.get = db.prepare(`SELECT v FROM ${t} WHERE ns = ? AND k = ?`).pluck();
    this.put = db.prepare(`INSERT OR REPLACE INTO ${t} (ns, k, v) VALUES (?, ?, ?)`);
    this.del = db.prepare(`DELETE FROM ${t} WHERE ns = ? AND k = ?`);
    this.delRange = db.prepare(`DELETE FROM ${t} WHERE ns = ? AND k >= ? AND k < ?`);
  }

  /** The scan statement for this shape; binds `ns, [gte], [lt], limit`. */
  scan(hasGte: boolean, hasLt: boolean, reverse: boolean): Stmt {
    const shape = (hasGte ? 1 : 0) | (hasLt ? 2 : 0) | (reverse ? 4 : 0);
    let stmt = this.scans.get(shape);
    if (stmt === undefined) {
      const where = ['ns = ?', hasGte ? 'k >= ?' : '', hasLt ? 'k < ?' : ''].filter((s) => s !== '').join(' AND ');
      const sql = `SELECT k, v FROM ${table(this.store)} WHERE ${where} ORDER BY k ${reverse ? 'DESC' : 'ASC'} LIMIT ?`;
      stmt = this.db.prepare(sql).raw();
      this.scans.set(shape, stmt);
    }
    return stmt;
  }
}

/** Creates the layout and settings on a fresh connection. */
function setUp(db: Db, options: SqliteStorageOptions): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version !== 0 && version !== SCHEMA_VERSION) {
    throw new WeftError(
      'E_STORAGE',
      `sqlite storage: file has layout version ${version}, this relay reads ${SCHEMA_VERSION}`,
      { version },
    );
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS namespaces (name TEXT PRIMARY KEY NOT NULL, ns INTEGER UNIQUE NOT NULL)');
    for (const store of STORES) {
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${table(store)} ` +
          '(ns INTEGER NOT NULL, k BLOB NOT NULL, v BLOB NOT NULL, PRIMARY KEY (ns, k)) WITHOUT ROWID',
      );
    }
    if (version === 0) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
  if (options.maxPageCount !== undefined) db.pragma(`max_page_count = ${options.maxPageCount}`);
}

function checkOptions(path: unknown, options: SqliteStorageOptions): void {
  if (typeof path !== 'string' || path === '')
    throw new WeftError('E_INVALID_ARGUMENT', 'sqlite storage: path must be a non-empty string');
  for (const [name, value, min] of [
    ['maxPageCount', options.maxPageCount, 1],
    ['busyTimeoutMs', options.busyTimeoutMs, 0],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min))
      throw new WeftError('E_INVALID_ARGUMENT', `sqlite storage: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

/** One queued batch (invariant 3). */
interface Queued {
  readonly ns: number;
  readonly ops: readonly WriteOp[];
  readonly sync: Sync;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Opens (creating if needed) the SQLite file at `path` as a store of many databases. Rejects with
 * `E_STORAGE` when the file cannot be opened (missing directory, not a database, another layout)
 * and with `E_INVALID_ARGUMENT` for bad options.
 */
export async function openSqliteStore(path: string, options: SqliteStorageOptions = {}): Promise<SqliteStore> {
  checkOptions(path, options);
  let db: Db | undefined;
  try {
    db = new Database(path);
    setUp(db, options);
  } catch (err) {
    db?.close();
    throw sqliteError(err, `sqlite storage: cannot open ${path}`);
  }
  const conn: Db = db;
  const statements = new Map(STORES.map((s) => [s, new StoreStatements(conn, s)]));
  const setSync: Record<Sync, Stmt> = {
    FULL: conn.prepare('PRAGMA synchronous = FULL'),
    NORMAL: conn.prepare('PRAGMA synchronous = NORMAL'),
  };
  const findNs = conn.prepare('SELECT ns FROM namespaces WHERE name = ?').pluck();
  const addNs = conn.prepare(
    'INSERT INTO namespaces (name, ns) VALUES (?, (SELECT coalesce(max(ns), 0) + 1 FROM namespaces))',
  );
  let sync: Sync = 'FULL';
  let closed = false;
  let commits = 0;
  let queue: Queued[] = [];
  let scheduled = false;
  const names = new Map<string, number>();

  const applyAll = conn.transaction((batches: readonly Queued[]) => {
    for (const { ns, ops } of batches) {
      for (const op of ops) {
        const s = statements.get(op.store)!;
        if (op.type === 'put') s.put.run(ns, op.key, op.value);
        else if (op.type === 'delete') s.del.run(ns, op.key);
        else s.delRange.run(ns, op.gte, op.lt);
      }
    }
  });
  const commit = (batches: readonly Queued[]): void => {
    const want: Sync = batches.some((q) => q.sync === 'FULL') ? 'FULL' : 'NORMAL';
    if (want !== sync) {
      setSync[want].run();
      sync = want;
    }
    // BEGIN IMMEDIATE: take the write lock up front rather than upgrading mid-batch.
    applyAll.immediate(batches);
    commits++;
  };
  /** Commits every queued batch (invariants 3 and 4). */
  const flush = (): void => {
    scheduled = false;
    const batches = queue;
    queue = [];
    if (batches.length === 0) return;
    try {
      commit(batches);
      for (const q of batches) q.resolve();
      return;
    } catch {
      // Isolate the failing batch: retry each alone (the group's transaction rolled back whole).
    }
    for (const q of batches) {
      try {
        commit([q]);
        q.resolve();
      } catch (err) {
        q.reject(sqliteError(err, 'sqlite storage: write'));
      }
    }
  };
  const nsOf = (name: string): number => {
    let ns = names.get(name);
    if (ns === undefined) {
      let found = findNs.get(name) as number | undefined;
      if (found === undefined) {
        addNs.run(name);
        found = findNs.get(name) as number;
      }
      names.set(name, (ns = found));
    }
    return ns;
  };

  let openCount = 0;
  const adapters = new Set<string>();
  return {
    get openDatabases() {
      return openCount;
    },
    get commits() {
      return commits;
    },
    database(name: string): StorageAdapter {
      if (closed) throw new WeftError('E_CLOSED', 'sqlite storage is closed');
      if (typeof name !== 'string' || name === '' || name.length > 200)
        throw new WeftError('E_INVALID_ARGUMENT', 'sqlite storage: a database name is 1-200 characters');
      if (adapters.has(name)) throw new WeftError('E_INVALID_ARGUMENT', `sqlite storage: ${name} is already open`);
      let ns: number;
      try {
        ns = nsOf(name);
      } catch (err) {
        throw sqliteError(err, 'sqlite storage: open');
      }
      adapters.add(name);
      openCount++;
      let mine = true;
      const open = (store: StoreName): StoreStatements => {
        if (closed || !mine) throw new WeftError('E_CLOSED', 'sqlite storage is closed');
        checkStoreName(store);
        if (queue.length > 0) flush();
        return statements.get(store)!;
      };
      const read = <T>(what: string, fn: () => T): T => {
        try {
          return fn();
        } catch (err) {
          throw sqliteError(err, `sqlite storage: ${what}`);
        }
      };
      return {
        name: 'sqlite',
        async get(store, key) {
          const s = open(store);
          checkBytes(key, 'key');
          const v = read('get', () => s.get.get(ns, key) as Uint8Array | undefined);
          return v === undefined ? undefined : plain(v);
        },
        async getMany(store, keys) {
          const s = open(store);
          if (!Array.isArray(keys)) throw new WeftError('E_INVALID_ARGUMENT', 'keys must be an array');
          keys.forEach((k, i) => checkBytes(k, `key ${i}`));
          return read('getMany', () =>
            keys.map((k) => {
              const v = s.get.get(ns, k) as Uint8Array | undefined;
              return v === undefined ? undefined : plain(v);
            }),
          );
        },
        async scan(store, scanOptions: ScanOptions = {}) {
          const s = open(store);
          checkScanOptions(scanOptions);
          const { gte, lt, reverse = false, limit } = scanOptions;
          const params: unknown[] = [ns];
          if (gte !== undefined) params.push(gte);
          if (lt !== undefined) params.push(lt);
          params.push(limit ?? -1); // LIMIT -1 is SQLite for "no limit".
          const rows = read(
            'scan',
            () => s.scan(gte !== undefined, lt !== undefined, reverse).all(...params) as [Uint8Array, Uint8Array][],
          );
          return rows.map(([k, v]): Entry => ({ key: plain(k), value: plain(v) }));
        },
        write(ops, writeOptions?: WriteOptions) {
          if (closed || !mine) return Promise.reject(new WeftError('E_CLOSED', 'sqlite storage is closed'));
          try {
            validateWriteOps(ops);
          } catch (err) {
            return Promise.reject(err);
          }
          if (ops.length === 0) return Promise.resolve();
          const sync: Sync = writeOptions?.durability === 'relaxed' ? 'NORMAL' : 'FULL';
          return new Promise<void>((resolve, reject) => {
            // Copy the list: the caller may reuse its array once write() returned.
            queue.push({ ns, ops: [...ops], sync, resolve, reject });
            if (!scheduled) {
              scheduled = true;
              setImmediate(flush);
            }
          });
        },
        async close() {
          if (!mine) return;
          if (queue.length > 0) flush();
          mine = false;
          adapters.delete(name);
          openCount--;
        },
      };
    },
    async close() {
      if (closed) return;
      flush();
      closed = true;
      try {
        // Closing the last connection checkpoints the WAL into the main file.
        conn.close();
      } catch (err) {
        throw sqliteError(err, 'sqlite storage: close');
      }
    },
  };
}
