/**
 * The IndexedDB {@link StorageAdapter}, on `idb`. The typed schema and the open/upgrade live in
 * indexeddb-schema.ts, the connection and its one retry in indexeddb-connection.ts, the error
 * mapping in indexeddb-errors.ts.
 *
 * A batch is written one of two ways, each one transaction with nothing but its own requests
 * awaited inside, so nothing can auto-commit it half-way:
 *  - direct: one request per op into the port's stores (small batches);
 *  - journaled: large batches (≥ `journalMinOps` ops) as one record in the write-behind journal,
 *    copied into the stores afterwards (indexeddb-journal.ts). While any journaled batch is not
 *    fully drained, every batch is journaled, so batches always reach the stores in order.
 * How requests are issued is in indexeddb-apply.ts.
 */
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
import { IdbConnection } from './indexeddb-connection.ts';
import { applyOps, writeTx } from './indexeddb-apply.ts';
import { decodeApplied, encodeApplied, encodeBatch } from './indexeddb-journal.ts';
import { LastWriters, PendingBatch, keyString, mergeScan, resolve } from './indexeddb-overlay.ts';
import { JOURNAL, JOURNAL_APPLIED, fromKey, fromValue, toKey, type WeftIdbStore } from './indexeddb-schema.ts';

/** Options for {@link openIndexedDbStorage}. */
export interface IndexedDbStorageOptions {
  /** The factory to open with; defaults to the global `indexedDB`. Tests pass `fake-indexeddb`'s. */
  readonly idbFactory?: IDBFactory;
  /**
   * The `IDBKeyRange` of the same implementation as {@link idbFactory}: ranges from another
   * implementation are rejected. Defaults to the global one.
   */
  readonly idbKeyRange?: typeof IDBKeyRange;
  /** Batches with at least this many ops go through the journal (default 1024; Infinity: never). */
  readonly journalMinOps?: number;
}

/** The adapter, plus what only IndexedDB has. */
export interface IndexedDbStorage extends StorageAdapter {
  /**
   * Resolves once every journaled batch written so far sits in the port's stores (the journal
   * is a private detail: reads never need this; benchmarks and tests do).
   */
  drained(): Promise<void>;
}

/** Default {@link IndexedDbStorageOptions.journalMinOps}. */
export const DEFAULT_JOURNAL_MIN_OPS = 1024;
/** Ops copied per drain transaction: bounds how long a drain holds up reads of the stores. */
const DRAIN_CHUNK = 4096;
const APPLIED_KEY = 'applied';
/** How long committed batches wait for more before they are drained together. */
const DRAIN_DELAY_MS = 1000;
/** Undrained ops at which a drain starts at once: bounds the journal's memory. */
const DRAIN_BACKLOG_OPS = 1 << 17;

/** Thrown inside a direct write that finds a journaled batch ahead of it (never escapes). */
const JOURNAL_AHEAD = new WeftError('E_INTERNAL', 'a journaled batch is ahead of this one');

/**
 * Opens an IndexedDB-backed adapter on database `name`, creating the object stores on first
 * use and replaying any journaled batches a crash left undrained. Rejects with `E_STORAGE`
 * when IndexedDB is unavailable or refuses to open.
 */
export async function openIndexedDbStorage(
  name: string,
  options: IndexedDbStorageOptions = {},
): Promise<IndexedDbStorage> {
  const g = globalThis as { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange };
  const KeyRange = options.idbKeyRange ?? g.IDBKeyRange;
  if ((options.idbFactory ?? g.indexedDB) === undefined || KeyRange === undefined)
    throw new WeftError('E_STORAGE', 'IndexedDB is not available');
  const minOps = options.journalMinOps ?? DEFAULT_JOURNAL_MIN_OPS;
  const conn = new IdbConnection(name, options.idbFactory);

  /** Journaled batches not fully drained, in sequence order (in-flight puts included). */
  let pending: PendingBatch[] = [];
  let nextSeq = 1;
  /** Journal records up to this seq are drained and may be deleted. */
  let drainedSeq = 0;
  let cleanedSeq = 0; // Journal records up to this seq are deleted.
  let draining: Promise<void> | undefined;
  const lastWriters = new LastWriters();

  /** Copies committed journaled batches into the stores, oldest first, a chunk at a time. */
  const drain = (): Promise<void> =>
    (draining ??= (async () => {
      while (!conn.closed) {
        const b = pending[0];
        if (b === undefined || !b.committed) break;
        const end = Math.min(b.applied + DRAIN_CHUNK, b.size);
        // Batches that committed while earlier ones drain (a sync delivering batch after batch)
        // rewrite the same doc fields: copy only what no later batch overwrites.
        lastWriters.fold(pending);
        const chunk = lastWriters.toCopy(b.ops.slice(b.applied, end), b.seq);
        const stores: WeftIdbStore[] = [...new Set(chunk.map((op) => op.store)), JOURNAL_APPLIED];
        try {
          // The journal already holds the batch durably: the copy needs no flush of its own.
          await writeTx(conn, stores, 'relaxed', (raw) => {
            applyOps(raw, chunk, KeyRange);
            raw.objectStore(JOURNAL_APPLIED).put(encodeApplied({ seq: b.seq, op: end }), APPLIED_KEY);
          });
        } catch {
          break; // Retried at the next write or open; reads see the batch meanwhile.
        }
        b.applied = end;
        if (end === b.size) {
          pending = pending.slice(1);
          drainedSeq = b.seq;
          if (pending.length === 0) lastWriters.clear();
        }
      }
    })().finally(() => (draining = undefined)));

  let drainTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Starts a drain DRAIN_DELAY_MS after the first batch that found none scheduled, or at once
   * when the backlog is large: batches committed meanwhile are drained together, and a field
   * rewritten by a later batch is copied once (invariant 4 of indexeddb-journal.ts).
   */
  const scheduleDrain = (): void => {
    let backlog = 0;
    for (const b of pending) backlog += b.size - b.applied;
    if (backlog >= DRAIN_BACKLOG_OPS) {
      clearTimeout(drainTimer);
      drainTimer = undefined;
      void drain();
    } else
      drainTimer ??= setTimeout(() => {
        drainTimer = undefined;
        void drain();
      }, DRAIN_DELAY_MS);
  };

  const journalWrite = async (ops: readonly WriteOp[], durability: IDBTransactionDurability): Promise<void> => {
    const record = encodeBatch(ops);
    const batch = new PendingBatch(nextSeq++, record, new Set(ops.map((op) => op.store)), ops.length);
    // Queued before the transaction exists, so no direct write can overtake it.
    pending.push(batch);
    try {
      await writeTx(conn, [JOURNAL], durability, (raw) => {
        const journal = raw.objectStore(JOURNAL);
        if (drainedSeq > cleanedSeq) journal.delete(KeyRange.upperBound(drainedSeq));
        journal.add(record, batch.seq);
      });
    } catch (err) {
      pending = pending.filter((p) => p !== batch);
      throw err;
    }
    cleanedSeq = Math.max(cleanedSeq, drainedSeq);
    batch.committed = true;
    scheduleDrain();
  };

  const directWrite = (ops: readonly WriteOp[], durability: IDBTransactionDurability): Promise<void> =>
    writeTx(conn, [...new Set(ops.map((op) => op.store))], durability, (raw) => {
      if (pending.length > 0) throw JOURNAL_AHEAD;
      applyOps(raw, ops, KeyRange);
    });

  /** Committed batches touching `store`, as of now (take it when the read transaction starts). */
  const visible = (store: StoreName): PendingBatch[] => pending.filter((b) => b.committed && b.stores.has(store));

  // Open now so that a missing or broken IndexedDB fails here, not on the first read, and pick
  // up whatever a crash left in the journal.
  await conn.run([JOURNAL, JOURNAL_APPLIED], 'readonly', 'default', async (tx) => {
    const applied = decodeApplied(await tx.objectStore(JOURNAL_APPLIED).get(APPLIED_KEY));
    // Records below the marker are drained; the next journal write deletes them. Only the rest
    // is read: a drained batch can be megabytes, and decoding it would only slow the open.
    const undrained = KeyRange.lowerBound(applied.seq);
    const [keys, records, last] = await Promise.all([
      tx.objectStore(JOURNAL).getAllKeys(undrained),
      tx.objectStore(JOURNAL).getAll(undrained),
      tx.objectStore(JOURNAL).openKeyCursor(null, 'prev'),
    ]);
    drainedSeq = applied.seq - 1;
    nextSeq = Math.max(applied.seq, (last?.primaryKey as number | undefined) ?? 0, ...keys) + 1;
    keys.forEach((seq, i) => {
      if (seq < applied.seq) return;
      const b = PendingBatch.fromRecord(seq, fromValue(records[i])!);
      b.committed = true;
      b.applied = seq === applied.seq ? applied.op : 0;
      if (b.applied < b.size) pending.push(b);
      else drainedSeq = seq;
    });
  });
  void drain();

  return {
    name: 'indexeddb',

    async get(store, key) {
      conn.check();
      checkStoreName(store);
      checkBytes(key, 'key');
      return conn.run([store], 'readonly', 'default', async (tx) => {
        const batches = visible(store);
        const stored = fromValue(await tx.objectStore(store).get(toKey(key)));
        return batches.length === 0 ? stored : resolve(batches, store, keyString(key), stored);
      });
    },

    async getMany(store, keys) {
      conn.check();
      checkStoreName(store);
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      if (keys.length === 0) return [];
      return conn.run([store], 'readonly', 'default', async (tx) => {
        const batches = visible(store);
        const os = tx.objectStore(store);
        const values = (await Promise.all(keys.map((k) => os.get(toKey(k))))).map(fromValue);
        return batches.length === 0 ? values : values.map((v, i) => resolve(batches, store, keyString(keys[i]!), v));
      });
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      conn.check();
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
      return conn.run([store], 'readonly', 'default', async (tx) => {
        const batches = visible(store);
        const os = tx.objectStore(store);
        // With batches to merge in, the stored part can't be cut at `limit` before merging.
        const max = batches.length === 0 ? limit : undefined;
        let entries: Entry[];
        if (!reverse || batches.length > 0) {
          // Both requests run in one transaction, so keys and values line up.
          const [ks, vs] = await Promise.all([os.getAllKeys(range, max), os.getAll(range, max)]);
          entries = ks.map((k, i): Entry => ({ key: fromKey(k), value: fromValue(vs[i])! }));
        } else {
          entries = [];
          let c = await os.openCursor(range, 'prev');
          while (c !== null) {
            entries.push({ key: fromKey(c.primaryKey), value: fromValue(c.value)! });
            if (entries.length >= (max ?? Infinity)) break;
            c = await c.continue();
          }
        }
        if (batches.length === 0) return entries;
        const shape = {
          reverse,
          ...(gte === undefined ? {} : { gte: keyString(gte) }),
          ...(lt === undefined ? {} : { lt: keyString(lt) }),
          ...(limit === undefined ? {} : { limit }),
        };
        return mergeScan(entries, batches, store, shape);
      });
    },

    async write(ops, writeOptions: WriteOptions = {}) {
      conn.check();
      validateWriteOps(ops);
      if (ops.length === 0) return;
      const durability = writeOptions.durability ?? 'strict';
      if (pending.length === 0 && ops.length < minOps) {
        try {
          return await directWrite(ops, durability);
        } catch (err) {
          // A journaled batch slipped in while this one waited for the connection.
          if (err !== JOURNAL_AHEAD) throw err;
        }
      }
      await journalWrite(ops, durability);
    },

    async close() {
      clearTimeout(drainTimer);
      conn.close();
    },

    async drained() {
      while (!conn.closed && pending.length > 0) {
        await drain();
        // Still pending: a journal put in flight, or a drain that stopped on an error. Wait a
        // little (IndexedDB events are tasks, so spinning on microtasks would starve them).
        if (pending.length > 0) await new Promise((r) => setTimeout(r, 5));
      }
    },
  };
}
