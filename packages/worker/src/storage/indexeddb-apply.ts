/**
 * Issuing a batch's requests. Ops go to the unwrapped store, synchronously: a promise per
 * request is pure overhead, and a failing request aborts the transaction, which `tx.done`
 * reports. Nothing else is awaited inside the transaction, so it cannot auto-commit half-way.
 */
import { unwrap } from 'idb';
import { compareBytes as compare, type StoreName, type WriteOp } from '@weft/engine';
import type { IdbConnection } from './indexeddb-connection.ts';
import { toKey, toValue, type WeftIdbStore } from './indexeddb-schema.ts';

/** Issues every op as a raw request on `tx`. */
export function applyOps(tx: IDBTransaction, ops: readonly WriteOp[], KeyRange: typeof IDBKeyRange): void {
  const handles = new Map<StoreName, IDBObjectStore>();
  for (const op of ops) {
    let store = handles.get(op.store);
    if (store === undefined) handles.set(op.store, (store = tx.objectStore(op.store)));
    if (op.type === 'put') store.put(toValue(op.value), toKey(op.key));
    else if (op.type === 'delete') store.delete(toKey(op.key));
    // IDBKeyRange.bound throws on an empty or inverted range; the port makes those no-ops.
    else if (compare(op.gte, op.lt) < 0) store.delete(KeyRange.bound(toKey(op.gte), toKey(op.lt), false, true));
  }
}

/**
 * One readwrite transaction: `issue` makes its requests, then it commits at once (not when the
 * event loop notices it is idle). If issuing throws (e.g. QuotaExceededError from `put`), the
 * transaction is aborted so nothing applies.
 */
export function writeTx(
  conn: IdbConnection,
  stores: WeftIdbStore[],
  durability: IDBTransactionDurability,
  issue: (raw: IDBTransaction) => void,
): Promise<void> {
  return conn.run(stores, 'readwrite', durability, async (tx) => {
    const raw = unwrap(tx) as IDBTransaction;
    try {
      issue(raw);
    } catch (err) {
      tx.done.catch(() => undefined);
      try {
        raw.abort();
      } catch {
        // Already aborted by the failure itself.
      }
      throw err;
    }
    if (typeof raw.commit === 'function') raw.commit();
    await tx.done;
  });
}
