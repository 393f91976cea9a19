/**
 * The relay's persistent peer: one replica per hosted database, verifying and storing every
 * change like any replica (signatures, hashes, author chains, equivocation). Opened on first
 * use, kept open, and closed (storage flushed) on shutdown.
 */
import {
  WeftError,
  createReplica,
  type DbId,
  type Identity,
  type Replica,
  type Schema,
  type StorageAdapter,
} from '@weft/engine';

const DB_ID = /^[0-9a-f]{64}$/;

/** Checks a database id from a URL. */
export function checkDbId(db: string): asserts db is DbId {
  if (!DB_ID.test(db)) throw new WeftError('E_INVALID_ARGUMENT', 'a database id is 64 lowercase hex characters');
}

/** Replicas by database id. */
export class DbRegistry {
  private readonly dbs = new Map<string, Promise<Replica>>();
  private readonly open = new Set<Replica>();

  constructor(
    private readonly identity: Identity,
    private readonly openStorage: (db: string) => Promise<StorageAdapter>,
    private readonly allow: ReadonlySet<string> | null,
    private readonly schema?: Schema,
    /**
     * Runs once each replica is open, before anyone gets it (PostgreSQL storage catches the
     * replica up from the shared log here); if it rejects, the replica is closed again.
     */
    private readonly onOpened?: (db: string, replica: Replica) => Promise<void>,
  ) {}

  /** True when this relay hosts `db`. */
  hosts(db: string): boolean {
    return DB_ID.test(db) && (this.allow === null || this.allow.has(db));
  }

  /** The replica of `db`, opened once. */
  get(db: string): Promise<Replica> {
    checkDbId(db);
    if (!this.hosts(db)) throw new WeftError('E_PERMISSION', `database ${db} is not hosted here`);
    let p = this.dbs.get(db);
    if (p === undefined) {
      p = this.openStorage(db)
        .then((storage) =>
          createReplica({
            identity: this.identity,
            storage,
            db,
            // Without the app's schema the relay judges no rules, so it needs no document state:
            // it stores and forwards (engine replica-options.ts `storeOnly`), in far less memory.
            ...(this.schema === undefined ? { storeOnly: true } : { schema: this.schema }),
          }),
        )
        .then(async (r) => {
          try {
            await this.onOpened?.(db, r);
          } catch (err) {
            await r.close().catch(() => undefined);
            throw err;
          }
          this.open.add(r);
          return r;
        });
      p.catch(() => this.dbs.delete(db));
      this.dbs.set(db, p);
    }
    return p;
  }

  /** Changes stored across the open databases. */
  storedChanges(): number {
    let n = 0;
    for (const r of this.open) n += r.changes().length;
    return n;
  }

  /** Databases open now. */
  get size(): number {
    return this.dbs.size;
  }

  /** Closes every replica (flushing storage). */
  async close(): Promise<void> {
    const all = [...this.dbs.values()];
    this.dbs.clear();
    this.open.clear();
    for (const p of all) await (await p.catch(() => undefined))?.close();
  }
}
