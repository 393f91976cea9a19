/**
 * The relay's PostgreSQL {@link StorageAdapter}: one replica's six stores as rows of `weft_kv`
 * under a namespace (layout in postgres-schema.ts), over a `pg.Pool` shared by every database
 * of the process.
 *
 * Invariants (numbering follows the port's):
 *  1. Keys order byte-wise: `bytea` compares with memcmp, then by length, like the port.
 *  2. Each `write` is one transaction (BEGIN … COMMIT on one pooled connection); it resolves
 *     after COMMIT, so with `durability: 'strict'` the batch is in the WAL on disk. `relaxed`
 *     sets `synchronous_commit = off` for that transaction only: a crash of PostgreSQL may drop
 *     the last relaxed batches, never half of one.
 *  3. Ops apply in array order: runs of puts (or of deletes) become one statement each, keeping
 *     the last op per key of a run, so a later op on the same key still wins.
 *  4. Errors are WeftErrors: bad calls → `E_INVALID_ARGUMENT` before PostgreSQL sees them,
 *     disk full (SQLSTATE 53100) → `E_QUOTA`, after `close()` → `E_CLOSED`, anything else →
 *     `E_STORAGE` with the SQLSTATE in `details`.
 *  5. Writes of one adapter run one at a time, in call order.
 *  6. With `share`, every change record put in the batch is also inserted, in the same
 *     transaction, into the database's shared log `weft_changes` and announced with NOTIFY (sent
 *     by PostgreSQL at COMMIT), so a change acknowledged by this relay is in the shared log.
 */
import type pg from 'pg';
import {
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
import { CHANGES_CHANNEL, STORE_IDS } from './postgres-schema.ts';

/** Publishing of change records into the shared log (invariant 6). */
export interface PostgresShareOptions {
  /** The database id the shared log is kept under. */
  readonly db: string;
  /** The change's wire bytes, from the value the replica stores in the `changes` store. */
  readonly wireOf: (record: Uint8Array) => Uint8Array;
}

/** Options for {@link openPostgresStorage}. */
export interface PostgresStorageOptions {
  /** The pool to run on; the adapter never ends it unless `ownsPool`. */
  readonly pool: pg.Pool;
  /** Rows of this adapter are kept under this namespace (non-empty). */
  readonly namespace: string;
  /** End the pool on `close()` (for an adapter that is the pool's only user). */
  readonly ownsPool?: boolean;
  readonly share?: PostgresShareOptions;
}

/**
 * A plain Uint8Array of the bytes pg returned: a Buffer's `slice()` would alias, not copy, and a
 * small Buffer sits inside Node's shared pool, so those are copied out.
 */
function plain(buf: Uint8Array): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength) {
    return new Uint8Array(buf.buffer, 0, buf.byteLength);
  }
  // Not `slice()`: on a Buffer it would make another Buffer.
  return new Uint8Array(buf);
}

/** Maps whatever pg threw to the port's codes. */
export function pgToWeftError(err: unknown, what: string): WeftError {
  if (err instanceof WeftError) return err;
  const code = (err as { code?: unknown })?.code;
  const sqlState = typeof code === 'string' ? code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  const details = sqlState === undefined ? undefined : { sqlState };
  if (sqlState === '53100') return new WeftError('E_QUOTA', `${what}: PostgreSQL is out of disk (${message})`, details);
  return new WeftError('E_STORAGE', `${what}: ${message}`, details);
}

const ignore = (): void => undefined;

const hexKey = (store: number, key: Uint8Array): string => `${store}:${Buffer.from(key).toString('hex')}`;

/** Runs `ops` inside the open transaction of `client`, coalescing runs of puts and of deletes. */
async function applyOps(client: pg.PoolClient, ns: string, ops: readonly WriteOp[]): Promise<void> {
  let i = 0;
  while (i < ops.length) {
    const type = ops[i]!.type;
    if (type === 'deleteRange') {
      const op = ops[i++] as Extract<WriteOp, { type: 'deleteRange' }>;
      await client.query('DELETE FROM weft_kv WHERE ns = $1 AND store = $2 AND k >= $3 AND k < $4', [
        ns,
        STORE_IDS[op.store],
        op.gte,
        op.lt,
      ]);
      continue;
    }
    // One run of the same type; the last op on a key wins (a statement may touch a row once).
    const run = new Map<string, { store: number; key: Uint8Array; value?: Uint8Array }>();
    for (; i < ops.length && ops[i]!.type === type; i++) {
      const op = ops[i]!;
      if (op.type === 'deleteRange') break;
      const store = STORE_IDS[op.store];
      const id = hexKey(store, op.key);
      run.delete(id);
      run.set(id, { store, key: op.key, ...(op.type === 'put' ? { value: op.value } : {}) });
    }
    const rows = [...run.values()];
    const stores = rows.map((r) => r.store);
    const keys = rows.map((r) => r.key);
    if (type === 'put') {
      await client.query(
        `INSERT INTO weft_kv (ns, store, k, v)
         SELECT $1, s, k, v FROM unnest($2::smallint[], $3::bytea[], $4::bytea[]) AS t(s, k, v)
         ON CONFLICT (ns, store, k) DO UPDATE SET v = EXCLUDED.v`,
        [ns, stores, keys, rows.map((r) => r.value!)],
      );
    } else {
      await client.query(
        `DELETE FROM weft_kv WHERE ns = $1
         AND (store, k) IN (SELECT s, k FROM unnest($2::smallint[], $3::bytea[]) AS t(s, k))`,
        [ns, stores, keys],
      );
    }
  }
}

/**
 * Inserts the batch's change records into the shared log and announces them. The per-database
 * advisory lock makes `seq` follow commit order within a database: a reader that has seen `seq`
 * n can never later find a committed row below n, so `seq > cursor` misses nothing.
 */
async function shareChanges(client: pg.PoolClient, share: PostgresShareOptions, ops: readonly WriteOp[]) {
  const byHash = new Map<string, { hash: Uint8Array; wire: Uint8Array }>();
  for (const op of ops) {
    if (op.type !== 'put' || op.store !== 'changes') continue;
    byHash.set(Buffer.from(op.key).toString('hex'), { hash: op.key, wire: share.wireOf(op.value) });
  }
  if (byHash.size === 0) return;
  const rows = [...byHash.values()];
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [share.db]);
  const res = await client.query<{ seq: string }>(
    `INSERT INTO weft_changes (db, hash, seq, wire)
     SELECT $1, h, nextval('weft_changes_seq'), w FROM unnest($2::bytea[], $3::bytea[]) AS t(h, w)
     ON CONFLICT (db, hash) DO NOTHING RETURNING seq`,
    [share.db, rows.map((r) => r.hash), rows.map((r) => r.wire)],
  );
  if (res.rows.length === 0) return;
  const top = res.rows.reduce((m, r) => (BigInt(r.seq) > m ? BigInt(r.seq) : m), 0n);
  await client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, `${share.db} ${top}`]);
}

/**
 * Opens the stores of `namespace` in a PostgreSQL database whose tables exist
 * ({@link ensurePostgresSchema}). Rejects with `E_INVALID_ARGUMENT` for bad options.
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<StorageAdapter> {
  const { pool, namespace: ns, share } = options;
  if (typeof ns !== 'string' || ns === '') {
    throw new WeftError('E_INVALID_ARGUMENT', 'postgres storage: namespace must be a non-empty string');
  }
  if (typeof pool?.connect !== 'function') throw new WeftError('E_INVALID_ARGUMENT', 'postgres storage: no pool');
  let closed = false;
  // Invariant 5: each write waits for the one before it.
  let tail: Promise<unknown> = Promise.resolve();

  const check = (store: StoreName): number => {
    if (closed) throw new WeftError('E_CLOSED', 'postgres storage is closed');
    checkStoreName(store);
    return STORE_IDS[store];
  };
  const query = async <R extends pg.QueryResultRow>(what: string, sql: string, params: unknown[]): Promise<R[]> => {
    try {
      return (await pool.query<R>(sql, params)).rows;
    } catch (err) {
      throw pgToWeftError(err, `postgres storage: ${what}`);
    }
  };

  const runWrite = async (ops: readonly WriteOp[], relaxed: boolean): Promise<void> => {
    let client: pg.PoolClient | undefined;
    let failed = false;
    try {
      client = await pool.connect();
      // A connection lost between two statements emits 'error' on the checked-out client, which
      // would crash the process without a listener; the next statement then fails instead.
      client.on('error', ignore);
      await client.query('BEGIN');
      if (relaxed) await client.query('SET LOCAL synchronous_commit = off');
      await applyOps(client, ns, ops);
      if (share !== undefined) await shareChanges(client, share, ops);
      await client.query('COMMIT');
    } catch (err) {
      failed = true;
      await client?.query('ROLLBACK').catch(() => undefined);
      throw pgToWeftError(err, 'postgres storage: write');
    } finally {
      client?.off('error', ignore);
      // After a failure the connection may be broken: the pool discards it rather than reuse it.
      client?.release(failed);
    }
  };

  return {
    name: 'postgres',

    async get(store, key) {
      const s = check(store);
      checkBytes(key, 'key');
      const rows = await query<{ v: Uint8Array }>(
        'get',
        'SELECT v FROM weft_kv WHERE ns = $1 AND store = $2 AND k = $3',
        [ns, s, key],
      );
      return rows[0] === undefined ? undefined : plain(rows[0].v);
    },

    async getMany(store, keys) {
      const s = check(store);
      if (!Array.isArray(keys)) throw new WeftError('E_INVALID_ARGUMENT', 'keys must be an array');
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      if (keys.length === 0) return [];
      const rows = await query<{ k: Uint8Array; v: Uint8Array }>(
        'getMany',
        'SELECT k, v FROM weft_kv WHERE ns = $1 AND store = $2 AND k = ANY($3::bytea[])',
        [ns, s, keys],
      );
      const found = new Map(rows.map((r) => [Buffer.from(r.k).toString('hex'), r.v]));
      return keys.map((k) => {
        const v = found.get(Buffer.from(k).toString('hex'));
        return v === undefined ? undefined : plain(v);
      });
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      const s = check(store);
      checkScanOptions(scanOptions);
      const { gte, lt, reverse = false, limit } = scanOptions;
      const params: unknown[] = [ns, s];
      let sql = 'SELECT k, v FROM weft_kv WHERE ns = $1 AND store = $2';
      if (gte !== undefined) sql += ` AND k >= $${params.push(gte)}`;
      if (lt !== undefined) sql += ` AND k < $${params.push(lt)}`;
      sql += ` ORDER BY k ${reverse ? 'DESC' : 'ASC'}`;
      if (limit !== undefined) sql += ` LIMIT $${params.push(limit)}`;
      const rows = await query<{ k: Uint8Array; v: Uint8Array }>('scan', sql, params);
      return rows.map((r): Entry => ({ key: plain(r.k), value: plain(r.v) }));
    },

    write(ops, writeOptions?: WriteOptions) {
      if (closed) return Promise.reject(new WeftError('E_CLOSED', 'postgres storage is closed'));
      try {
        validateWriteOps(ops);
      } catch (err) {
        return Promise.reject(err as Error);
      }
      if (ops.length === 0) return Promise.resolve();
      const relaxed = writeOptions?.durability === 'relaxed';
      const done = tail.then(() => runWrite(ops, relaxed));
      tail = done.catch(() => undefined);
      return done;
    },

    async close() {
      if (closed) return;
      closed = true;
      // Batches already accepted finish before the pool goes.
      await tail;
      if (options.ownsPool === true) await pool.end().catch(() => undefined);
    },
  };
}
