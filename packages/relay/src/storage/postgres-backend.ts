/**
 * A relay process's PostgreSQL storage (`weft-relay --postgres <url>`): one pool for every
 * database, the schema, the instance lock and the fan-out between processes.
 *
 * Several processes share one PostgreSQL, each writing only under its own namespace
 * `<db>/<instance>` (its replica's derived state: docs, indexes, meta, change statuses) plus the
 * shared, content-addressed change log, so no process ever overwrites another's derived rows
 * with state computed from a different view. The instance is the relay's identity (kept in its
 * data directory), stable across restarts; a session advisory lock refuses a second process
 * running as the same instance, which would write the same namespace.
 */
import pg from 'pg';
import { WeftError, decode, type Replica, type StorageAdapter } from '@weft/engine';
import { PostgresFanout } from './postgres-fanout.ts';
import { PostgresRooms } from './postgres-rooms.ts';
import { ensurePostgresSchema } from './postgres-schema.ts';
import { openPostgresStorage, pgToWeftError } from './postgres-storage.ts';

/** Options for {@link openPostgresBackend}. */
export interface PostgresBackendOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** This process's stable instance id (the relay's author id). */
  readonly instance: string;
  /** Pool size (default 10). */
  readonly maxConnections?: number;
  /** Safety-net pull interval of the fan-out (ms). */
  readonly pollMs?: number;
  /** Room re-announce interval (ms); members expire after 3 × this (postgres-rooms.ts). */
  readonly roomRefreshMs?: number;
}

/** What the relay uses of its PostgreSQL storage. */
export interface PostgresBackend {
  readonly fanout: PostgresFanout;
  /** Room traffic between the processes (peers, signals, presence); started by the relay. */
  readonly rooms: PostgresRooms;
  /** The storage of database `db` for this instance. */
  openStorage(db: string): Promise<StorageAdapter>;
  /** Called once a replica of `db` is open: catches it up from the shared log, then follows it. */
  opened(db: string, replica: Replica): Promise<void>;
  /** Stops following the log (call before closing the replicas). */
  stop(): Promise<void>;
  /** Releases the pool and the instance lock (after the replicas are closed). */
  close(): Promise<void>;
}

/** A change record in the `changes` store is `[wire, status, reason, order, …]`. */
const wireOf = (record: Uint8Array): Uint8Array => {
  const fields = decode(record);
  const wire = Array.isArray(fields) ? fields[0] : undefined;
  if (!(wire instanceof Uint8Array)) throw new WeftError('E_STORAGE', 'malformed change record');
  return wire;
};

/** Connects, creates the schema if needed, takes the instance lock and starts listening. */
export async function openPostgresBackend(options: PostgresBackendOptions): Promise<PostgresBackend> {
  const { url, instance } = options;
  if (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)) {
    throw new WeftError('E_INVALID_ARGUMENT', 'postgres: the url must start with postgres:// or postgresql://');
  }
  const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
  // An idle pooled connection that dies is replaced by the pool; without a listener it would
  // crash the process.
  pool.on('error', (err) => console.warn(`weft-relay: postgres pool: ${err.message}`));
  const lock = new pg.Client({ connectionString: url });
  lock.on('error', (err) => console.warn(`weft-relay: postgres instance lock lost: ${err.message}`));
  const ns = (db: string): string => `${db}/${instance}`;
  let fanout: PostgresFanout | undefined;
  try {
    await ensurePostgresSchema(pool);
    await lock.connect();
    const { rows } = await lock.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [
      `weft-instance:${instance}`,
    ]);
    if (rows[0]?.ok !== true) {
      throw new WeftError(
        'E_STORAGE',
        `postgres: another relay process runs as instance ${instance.slice(0, 12)}; give each its own --data directory`,
      );
    }
    const opened = new PostgresFanout({
      pool,
      listenClient: () => new pg.Client({ connectionString: url, keepAlive: true }),
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    });
    fanout = opened;
    await opened.start();
    const rooms = new PostgresRooms({
      pool,
      instance,
      // Named, so an operator (and the tests) can tell it from the change LISTEN connection.
      listenClient: () => new pg.Client({ connectionString: url, keepAlive: true, application_name: 'weft-rooms' }),
      ...(options.roomRefreshMs === undefined ? {} : { refreshMs: options.roomRefreshMs }),
    });
    return {
      fanout: opened,
      rooms,
      openStorage: (db) => openPostgresStorage({ pool, namespace: ns(db), share: { db, wireOf } }),
      opened: (db, replica) => opened.attach(db, ns(db), replica),
      stop: () => opened.close(),
      async close() {
        await rooms.close();
        await opened.close();
        await lock.end().catch(() => undefined);
        await pool.end().catch(() => undefined);
      },
    };
  } catch (err) {
    await fanout?.close();
    await lock.end().catch(() => undefined);
    await pool.end().catch(() => undefined);
    throw pgToWeftError(err, 'postgres');
  }
}
