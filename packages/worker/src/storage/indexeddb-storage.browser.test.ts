import { afterAll, describe, expect, it } from 'vitest';
import { runStorageAdapterTests } from '@weft/engine/testing';
import { openIndexedDbStorage, type IndexedDbStorageOptions } from './indexeddb-storage.ts';

// Unique per run so a crashed earlier run's databases never leak into this one.
const prefix = `weft-conformance-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
const names: string[] = [];

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

async function fresh(options?: IndexedDbStorageOptions) {
  const name = `${prefix}-${names.length}`;
  names.push(name);
  return openIndexedDbStorage(name, options);
}

afterAll(async () => {
  // The suite has closed every adapter by now, so nothing blocks the deletes.
  await Promise.all(names.map(deleteDatabase));
  const left = (await indexedDB.databases()).filter((d) => d.name?.startsWith(prefix));
  expect(left).toEqual([]);
});

runStorageAdapterTests('indexeddb (Chromium)', () => fresh(), { propertyRuns: 25 });
// Every batch through the write-behind journal (normally only large ones).
runStorageAdapterTests('indexeddb, every batch journaled (Chromium)', () => fresh({ journalMinOps: 1 }), {
  propertyRuns: 15,
});

describe('indexeddb storage in Chromium', () => {
  it('orders raw binary keys byte-wise, as the adapter relies on', () => {
    const key = (...bytes: number[]) => Uint8Array.from(bytes).buffer;
    expect(indexedDB.cmp(key(0x80), key(0x7f))).toBe(1); // unsigned, not signed
    expect(indexedDB.cmp(key(0x01), key(0x01, 0x00))).toBe(-1); // prefix first
    expect(indexedDB.cmp(key(), key(0x00))).toBe(-1); // empty key is valid and smallest
    expect(indexedDB.cmp(key(0xff, 0x00), key(0xff))).toBe(1);
  });

  it('journals a large batch, reads it at once, and finds it again after reopening', async () => {
    const name = `${prefix}-${names.length}`;
    names.push(name);
    const db = await openIndexedDbStorage(name);
    const ops = Array.from({ length: 5_000 }, (_, i) => ({
      type: 'put' as const,
      store: 'docs' as const,
      key: Uint8Array.of(i >> 8, i & 0xff),
      value: Uint8Array.of(i & 0xff),
    }));
    await db.write(ops);
    expect((await db.scan('docs', { reverse: true, limit: 1 }))[0]?.key).toEqual(
      Uint8Array.of(4_999 >> 8, 4_999 & 0xff),
    );
    await db.close();
    const again = await openIndexedDbStorage(name);
    expect((await again.scan('docs')).length).toBe(5_000);
    await again.drained();
    expect((await again.scan('docs')).length).toBe(5_000);
    await again.close();
  });

  it('survives the connection being closed under it', async () => {
    const db = await fresh();
    await db.write([{ type: 'put', store: 'meta', key: Uint8Array.of(1), value: Uint8Array.of(1) }]);
    // Close the adapter's connection behind its back on the first transaction() call, as Safari
    // does when it reclaims the backing store: real IndexedDB then throws InvalidStateError.
    const original = IDBDatabase.prototype.transaction;
    let calls = 0;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<typeof original>) {
      if (calls++ === 0) this.close();
      return original.apply(this, args);
    } as typeof original;
    try {
      expect((await db.get('meta', Uint8Array.of(1)))?.[0]).toBe(1);
      expect(calls).toBe(2);
    } finally {
      IDBDatabase.prototype.transaction = original;
    }
    await db.close();
  });
});
