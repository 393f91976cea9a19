/**
 * The storage conformance suite: one set of Vitest tests that every {@link StorageAdapter}
 * (memory, IndexedDB, SQLite, PostgreSQL) runs, so the engine can rely on the port's invariants
 * whatever the backend. Runs in Node and in the browser, so it touches no Node APIs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { compareBytes, equalBytes, toHex } from '../bytes.ts';
import { STORES, prefixEnd, type Entry, type StorageAdapter, type WriteOp } from '../storage/storage-port.ts';
import { defineStorageFailureTests } from './storage-conformance-failures.ts';
import { b, hex, hexOrUndef, text, type FreshAdapter } from './storage-conformance-helpers.ts';
import { defineStorageModelTest } from './storage-conformance-model.ts';

/** Options for {@link runStorageAdapterTests}. */
export interface StorageAdapterTestOptions {
  /** Set when the adapter can be made to run out of space; requires {@link makeFullAdapter}. */
  readonly supportsQuota?: boolean;
  /**
   * An empty adapter whose quota lets through a few KiB but rejects any batch that would take it
   * past 1 MiB in total. The suite writes 2 MiB to trip it.
   */
  readonly makeFullAdapter?: () => Promise<StorageAdapter>;
  /** fast-check runs of the model test (default 40); lower it for slow backends. */
  readonly propertyRuns?: number;
  /** Replays a model-test failure: pass the seed fast-check printed. */
  readonly propertySeed?: number;
}

/** Keys chosen to trip signed-byte, NUL-terminated-string and prefix-ordering bugs. */
const ORDER_KEYS: readonly Uint8Array[] = [
  b(),
  b(0x00),
  b(0x00, 0x00),
  b(0x00, 0xff),
  b(0x01),
  b(0x61),
  b(0x61, 0x00),
  b(0x61, 0x62),
  b(0x7f),
  b(0x80),
  b(0xfe, 0xff, 0xff),
  b(0xff),
  b(0xff, 0x00),
  b(0xff, 0xff),
  b(0xff, 0xff, 0xff),
];

/**
 * Registers the conformance suite for one adapter. `makeAdapter` must return a fresh, empty
 * adapter on every call; the suite closes each one after its test.
 */
export function runStorageAdapterTests(
  name: string,
  makeAdapter: () => Promise<StorageAdapter>,
  options: StorageAdapterTestOptions = {},
): void {
  if (options.supportsQuota === true && options.makeFullAdapter === undefined) {
    throw new Error('runStorageAdapterTests: supportsQuota needs makeFullAdapter');
  }

  describe(`storage adapter conformance: ${name}`, () => {
    const opened: StorageAdapter[] = [];
    const fresh: FreshAdapter = async (make = makeAdapter) => {
      const adapter = await make();
      opened.push(adapter);
      return adapter;
    };
    afterEach(async () => {
      for (const adapter of opened.splice(0)) await adapter.close();
    });

    /** Puts every key with its hex as the value, in a scrambled order. */
    const putAll = async (db: StorageAdapter, keys: readonly Uint8Array[], store = 'docs' as const): Promise<void> => {
      const scrambled = keys.map((k, i) => ({ k, r: (i * 7919) % 101 })).sort((x, y) => x.r - y.r);
      await db.write(scrambled.map(({ k }) => ({ type: 'put', store, key: k, value: text(toHex(k)) })));
    };
    const expectKeys = (entries: readonly Entry[], keys: readonly Uint8Array[]): void => {
      expect(hex(entries)).toEqual(keys.map((k) => [toHex(k), toHex(text(toHex(k)))]));
    };

    it('gets, puts, overwrites and deletes', async () => {
      const db = await fresh();
      expect(typeof db.name).toBe('string');
      expect(await db.get('docs', text('a'))).toBeUndefined();
      await db.write([{ type: 'put', store: 'docs', key: text('a'), value: text('1') }]);
      expect(hexOrUndef(await db.get('docs', text('a')))).toBe(toHex(text('1')));
      await db.write([{ type: 'put', store: 'docs', key: text('a'), value: b() }]);
      expect(hexOrUndef(await db.get('docs', text('a')))).toBe('');
      await db.write([{ type: 'delete', store: 'docs', key: text('a') }]);
      expect(await db.get('docs', text('a'))).toBeUndefined();
      await db.write([{ type: 'delete', store: 'docs', key: text('never') }]);
      await db.write([]);
      expect(await db.scan('docs')).toEqual([]);
    });

    it('getMany answers in request order, with undefined for misses and repeats honoured', async () => {
      const db = await fresh();
      await putAll(db, [text('a'), text('c')]);
      const got = await db.getMany('docs', [text('c'), text('b'), text('a'), text('c'), b()]);
      expect(got.map(hexOrUndef)).toEqual([
        toHex(text('63')),
        undefined,
        toHex(text('61')),
        toHex(text('63')),
        undefined,
      ]);
      expect(await db.getMany('docs', [])).toEqual([]);
    });

    it('orders keys byte-wise: unsigned, 0x00 and 0xff kept, shorter prefix first', async () => {
      const db = await fresh();
      const sorted = [...ORDER_KEYS].sort(compareBytes);
      expect(sorted.map(toHex)).toEqual(ORDER_KEYS.map(toHex));
      await putAll(db, ORDER_KEYS);
      expectKeys(await db.scan('docs'), ORDER_KEYS);
      expectKeys(await db.scan('docs', { reverse: true }), [...ORDER_KEYS].reverse());
      for (const k of ORDER_KEYS) expect(hexOrUndef(await db.get('docs', k))).toBe(toHex(text(toHex(k))));
    });

    it('scans with gte (inclusive), lt (exclusive), reverse and limit', async () => {
      const db = await fresh();
      await putAll(db, ORDER_KEYS);
      const K = ORDER_KEYS;
      const between = (lo: number, hi: number): Uint8Array[] => K.slice(lo, hi);
      expectKeys(await db.scan('docs', { gte: K[3]! }), between(3, K.length));
      expectKeys(await db.scan('docs', { lt: K[3]! }), between(0, 3));
      expectKeys(await db.scan('docs', { gte: K[2]!, lt: K[9]! }), between(2, 9));
      expectKeys(await db.scan('docs', { gte: K[2]!, lt: K[9]!, reverse: true }), between(2, 9).reverse());
      expectKeys(await db.scan('docs', { gte: K[2]!, lt: K[9]!, limit: 3 }), between(2, 5));
      expectKeys(await db.scan('docs', { gte: K[2]!, lt: K[9]!, limit: 3, reverse: true }), between(6, 9).reverse());
      expectKeys(await db.scan('docs', { limit: 1, reverse: true }), [K[K.length - 1]!]);
      expectKeys(await db.scan('docs', { limit: 100 }), K);
      // Bounds that are not stored keys still cut in the right place.
      expectKeys(await db.scan('docs', { gte: b(0x00, 0x01), lt: b(0x61, 0x01) }), between(3, 7));
      const prefix = b(0xff);
      expectKeys(await db.scan('docs', { gte: b(0x61), lt: prefixEnd(b(0x61))! }), between(5, 8));
      expectKeys(await db.scan('docs', { gte: prefix }), between(11, K.length));
    });

    it('returns nothing for empty and inverted ranges', async () => {
      const db = await fresh();
      expect(await db.scan('docs', { reverse: true, limit: 5 })).toEqual([]);
      await putAll(db, ORDER_KEYS);
      expect(await db.scan('docs', { limit: 0 })).toEqual([]);
      expect(await db.scan('docs', { gte: b(0x61), lt: b(0x61) })).toEqual([]);
      expect(await db.scan('docs', { gte: b(0x62), lt: b(0x61) })).toEqual([]);
      expect(await db.scan('docs', { gte: b(0x62), lt: b(0x61), reverse: true })).toEqual([]);
      expect(await db.scan('docs', { gte: b(0x02), lt: b(0x60) })).toEqual([]);
      expect(await db.scan('docs', { gte: b(0xff, 0xff, 0xff, 0x00) })).toEqual([]);
    });

    it('deleteRange removes exactly [gte, lt) and ignores inverted ranges', async () => {
      const db = await fresh();
      await putAll(db, ORDER_KEYS);
      await db.write([{ type: 'deleteRange', store: 'docs', gte: b(0x61), lt: b(0x61) }]);
      await db.write([{ type: 'deleteRange', store: 'docs', gte: b(0x80), lt: b(0x01) }]);
      expectKeys(await db.scan('docs'), ORDER_KEYS);
      await db.write([{ type: 'deleteRange', store: 'docs', gte: ORDER_KEYS[2]!, lt: ORDER_KEYS[9]! }]);
      expectKeys(await db.scan('docs'), [...ORDER_KEYS.slice(0, 2), ...ORDER_KEYS.slice(9)]);
      await db.write([{ type: 'deleteRange', store: 'docs', gte: b(), lt: b(0xff, 0xff, 0xff, 0xff) }]);
      expect(await db.scan('docs')).toEqual([]);
    });

    it('applies a batch in order: the later op on a key wins', async () => {
      const db = await fresh();
      const [k1, k2, k3] = [text('k1'), text('k2'), text('k3')];
      await db.write([{ type: 'put', store: 'meta', key: k3, value: text('old') }]);
      await db.write([
        { type: 'put', store: 'meta', key: k1, value: text('first') },
        { type: 'put', store: 'meta', key: k1, value: text('second') },
        { type: 'put', store: 'meta', key: k2, value: text('gone') },
        { type: 'delete', store: 'meta', key: k2 },
        { type: 'delete', store: 'meta', key: k3 },
        { type: 'put', store: 'meta', key: k3, value: text('new') },
        { type: 'put', store: 'meta', key: text('r1'), value: text('x') },
        { type: 'deleteRange', store: 'meta', gte: text('r'), lt: text('s') },
        { type: 'put', store: 'meta', key: text('r2'), value: text('kept') },
      ]);
      const got = await db.getMany('meta', [k1, k2, k3, text('r1'), text('r2')]);
      expect(got.map(hexOrUndef)).toEqual([
        toHex(text('second')),
        undefined,
        toHex(text('new')),
        undefined,
        toHex(text('kept')),
      ]);
    });

    it('applies concurrent writes in call order', async () => {
      const db = await fresh();
      const key = text('k');
      await Promise.all(
        [1, 2, 3].map((v) => db.write([{ type: 'put', store: 'meta', key, value: b(v) }], { durability: 'relaxed' })),
      );
      expect(hexOrUndef(await db.get('meta', key))).toBe('03');
    });

    it('copies values and keys in and out', async () => {
      const db = await fresh();
      const key = text('k');
      const value = b(1, 2, 3);
      await db.write([{ type: 'put', store: 'docs', key, value }]);
      value[0] = 99;
      key[0] = 0x6a;
      expect(hexOrUndef(await db.get('docs', text('k')))).toBe('010203');
      (await db.get('docs', text('k')))!.fill(0);
      (await db.getMany('docs', [text('k')]))[0]!.fill(0);
      const [entry] = await db.scan('docs');
      entry!.key.fill(0);
      entry!.value.fill(0);
      expect(hex(await db.scan('docs'))).toEqual([[toHex(text('k')), '010203']]);
      // Views store only their own bytes, not the whole underlying buffer.
      const backing = b(9, 9, 0x6b, 0x32, 9, 4, 5, 6, 9);
      await db.write([{ type: 'put', store: 'docs', key: backing.subarray(2, 4), value: backing.subarray(5, 8) }]);
      const got = await db.get('docs', text('k2'));
      expect(got && [got.length, toHex(got)]).toEqual([3, '040506']);
    });

    it('keeps the six stores independent', async () => {
      const db = await fresh();
      const key = text('same');
      await db.write(STORES.map((store, i) => ({ type: 'put', store, key, value: b(i) })));
      for (const [i, store] of STORES.entries()) {
        expect(hexOrUndef(await db.get(store, key))).toBe(toHex(b(i)));
        expect(hex(await db.scan(store))).toEqual([[toHex(key), toHex(b(i))]]);
      }
      await db.write([{ type: 'deleteRange', store: 'docs', gte: b(), lt: b(0xff) }]);
      await db.write([{ type: 'delete', store: 'meta', key }]);
      const left = await Promise.all(STORES.map((s) => db.get(s, key)));
      expect(left.map((v) => v !== undefined)).toEqual(STORES.map((s) => s !== 'docs' && s !== 'meta'));
    });

    it('round-trips a 1 MiB value', async () => {
      const db = await fresh();
      const value = new Uint8Array(1024 * 1024);
      for (let i = 0; i < value.length; i++) value[i] = (i * 31 + (i >>> 10)) & 0xff;
      await db.write([{ type: 'put', store: 'snapshots', key: text('big'), value }]);
      const got = await db.get('snapshots', text('big'));
      expect(got?.length).toBe(value.length);
      expect(equalBytes(got!, value)).toBe(true);
      const [entry] = await db.scan('snapshots');
      expect(equalBytes(entry!.value, value)).toBe(true);
    });

    it('scans 5,000 keys written in scrambled batches in order', async () => {
      const db = await fresh();
      const N = 5000;
      const keyOf = (i: number): Uint8Array => b(i >>> 8, i & 0xff, 0x00, i % 3);
      for (let start = 0; start < N; start += 1000) {
        const ops: WriteOp[] = [];
        for (let j = start; j < start + 1000; j++) {
          const i = (j * 2749) % N; // 2749 is coprime with 5000: a permutation
          ops.push({ type: 'put', store: 'changes', key: keyOf(i), value: b(i & 0xff) });
        }
        await db.write(ops, { durability: 'relaxed' });
      }
      const all = await db.scan('changes');
      expect(all.length).toBe(N);
      expect(all.every((e, i) => equalBytes(e.key, keyOf(i)) && e.value[0] === (i & 0xff))).toBe(true);
      const tail = await db.scan('changes', { lt: keyOf(2500), reverse: true, limit: 10 });
      expect(tail.map((e) => toHex(e.key))).toEqual(Array.from({ length: 10 }, (_, i) => toHex(keyOf(2499 - i))));
    });

    defineStorageFailureTests(fresh, options);
    defineStorageModelTest(() => fresh(), options);
  });
}
