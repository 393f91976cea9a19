/**
 * One adapter's IndexedDB connection: opened lazily, shared by concurrent callers, forgotten
 * when the browser closes it (Safari reclaiming the backing store) or another tab wants to
 * upgrade, and reopened on demand. `run` gives a transaction and retries once on a lost
 * connection: an aborted transaction wrote nothing, so a retry cannot apply anything twice.
 */
import type { IDBPTransaction } from 'idb';
import { WeftError } from '@weft/engine';
import { isConnectionLoss, mapIdbError } from './indexeddb-errors.ts';
import { openWeftIdb, type WeftIdb, type WeftIdbSchema, type WeftIdbStore } from './indexeddb-schema.ts';

/** A transaction over some of the database's stores. */
export type Tx = IDBPTransaction<WeftIdbSchema, WeftIdbStore[], IDBTransactionMode>;

/** The connection manager. */
export class IdbConnection {
  private conn: WeftIdb | undefined;
  private opening: Promise<WeftIdb> | undefined;
  private isClosed = false;

  constructor(
    private readonly name: string,
    private readonly factory: IDBFactory | undefined,
  ) {}

  /** True after {@link close}. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Throws `E_CLOSED` after {@link close}. */
  check(): void {
    if (this.isClosed) throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
  }

  private async reopen(): Promise<WeftIdb> {
    const db = await openWeftIdb(this.name, this.factory).catch((err: unknown) => {
      throw mapIdbError(err, `open ${this.name}`);
    });
    if (this.isClosed) {
      db.close();
      throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
    }
    // Safari drops connections (and fires `close`) when it reclaims the backing store; forget
    // this one so the next call reopens instead of failing forever.
    db.addEventListener('close', () => this.drop(db));
    // Another tab wants to upgrade or delete the database: get out of its way.
    db.addEventListener('versionchange', () => this.drop(db));
    this.conn = db;
    return db;
  }

  /** The open connection, opening one if needed (one open shared by concurrent callers). */
  connect(): Promise<WeftIdb> {
    if (this.conn !== undefined) return Promise.resolve(this.conn);
    this.opening ??= this.reopen().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private drop(db: WeftIdb): void {
    db.close();
    if (this.conn === db) this.conn = undefined;
  }

  /**
   * Runs `body` in one transaction, reopening the connection and retrying once if it was lost.
   * `body` must only wait on requests of `tx` (any other await lets the transaction commit).
   */
  async run<T>(
    stores: WeftIdbStore[],
    mode: IDBTransactionMode,
    durability: IDBTransactionDurability,
    body: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.check();
      const db = await this.connect();
      try {
        const tx: Tx =
          mode === 'readwrite' ? db.transaction(stores, mode, { durability }) : db.transaction(stores, 'readonly');
        return await body(tx);
      } catch (err) {
        if (this.isClosed) throw new WeftError('E_CLOSED', 'IndexedDB storage is closed');
        if (attempt === 0 && isConnectionLoss(err)) {
          this.drop(db);
          continue;
        }
        throw mapIdbError(err, mode === 'readwrite' ? 'write' : 'read');
      }
    }
  }

  /** Closes the connection; later calls reject with `E_CLOSED`. */
  close(): void {
    this.isClosed = true;
    if (this.conn !== undefined) this.drop(this.conn);
  }
}
