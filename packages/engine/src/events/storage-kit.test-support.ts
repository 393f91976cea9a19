/**
 * Test storage for the event-log and snapshot tests: a memory store that survives a replica's
 * `close()` (so a test can "restart" on the same data) and can be told to fail writes.
 */
import { WeftError } from '../errors.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';

/** A restartable, fault-injecting storage. */
export interface TestStorage extends StorageAdapter {
  /** Makes the next `n` writes reject with `E_STORAGE` (writing nothing). */
  failWrites(n: number): void;
  /** Every batch written so far. */
  readonly batches: (readonly WriteOp[])[];
}

/** A memory storage whose `close()` leaves the data readable by the next replica. */
export function restartableStorage(): TestStorage {
  const inner = createMemoryStorage();
  let failing = 0;
  const batches: (readonly WriteOp[])[] = [];
  return {
    name: 'restartable-memory',
    batches,
    failWrites: (n) => (failing = n),
    get: (store, key) => inner.get(store, key),
    getMany: (store, keys) => inner.getMany(store, keys),
    scan: (store, options) => inner.scan(store, options),
    async write(ops, options) {
      if (failing > 0) {
        failing--;
        throw new WeftError('E_STORAGE', 'injected write failure');
      }
      batches.push(ops);
      return inner.write(ops, options);
    },
    async close() {},
  };
}
