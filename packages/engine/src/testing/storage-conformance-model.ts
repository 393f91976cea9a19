/**
 * The conformance suite's model test: random op sequences run against an adapter and against a
 * few lines of obviously-correct model, compared after every step. Keys come from a tiny
 * alphabet of edge bytes so that collisions, prefixes and range edges happen often.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { compareBytes, toHex } from '../bytes.ts';
import type { Entry, ScanOptions, StorageAdapter, StoreName, WriteOp } from '../storage/storage-port.ts';

type Command =
  | { readonly t: 'write'; readonly ops: WriteOp[]; readonly durability: 'strict' | 'relaxed' | 'default' }
  | { readonly t: 'get'; readonly store: StoreName; readonly keys: Uint8Array[] }
  | { readonly t: 'scan'; readonly store: StoreName; readonly options: ScanOptions };

const storeArb = fc.constantFrom<StoreName>('docs', 'indexes');
const keyArb = fc
  .array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff), { maxLength: 3 })
  .map((a) => Uint8Array.from(a));

const opArb: fc.Arbitrary<WriteOp> = fc.oneof(
  fc.record({
    type: fc.constant('put' as const),
    store: storeArb,
    key: keyArb,
    value: fc.uint8Array({ maxLength: 4 }),
  }),
  fc.record({ type: fc.constant('delete' as const), store: storeArb, key: keyArb }),
  fc.record({ type: fc.constant('deleteRange' as const), store: storeArb, gte: keyArb, lt: keyArb }),
);

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('write' as const),
      ops: fc.array(opArb, { minLength: 1, maxLength: 6 }),
      durability: fc.constantFrom('strict' as const, 'relaxed' as const, 'default' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant('get' as const), store: storeArb, keys: fc.array(keyArb, { maxLength: 4 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('scan' as const),
      store: storeArb,
      options: fc.record({ gte: keyArb, lt: keyArb, reverse: fc.boolean(), limit: fc.nat(5) }, { requiredKeys: [] }),
    }),
  },
);

/** The model: per store, hex key to entry. Ordering is recomputed on every scan. */
class Model {
  private readonly stores = new Map<StoreName, Map<string, Entry>>();

  private store(name: StoreName): Map<string, Entry> {
    let s = this.stores.get(name);
    if (s === undefined) this.stores.set(name, (s = new Map()));
    return s;
  }

  write(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      const s = this.store(op.store);
      if (op.type === 'put') s.set(toHex(op.key), { key: op.key, value: op.value });
      else if (op.type === 'delete') s.delete(toHex(op.key));
      else for (const [k, e] of s) if (compareBytes(e.key, op.gte) >= 0 && compareBytes(e.key, op.lt) < 0) s.delete(k);
    }
  }

  get(store: StoreName, keys: readonly Uint8Array[]): (string | undefined)[] {
    return keys.map((k) => {
      const e = this.store(store).get(toHex(k));
      return e && toHex(e.value);
    });
  }

  scan(store: StoreName, { gte, lt, reverse = false, limit }: ScanOptions): string[][] {
    let entries = [...this.store(store).values()]
      .filter(
        (e) =>
          (gte === undefined || compareBytes(e.key, gte) >= 0) && (lt === undefined || compareBytes(e.key, lt) < 0),
      )
      .sort((x, y) => compareBytes(x.key, y.key));
    if (reverse) entries.reverse();
    if (limit !== undefined) entries = entries.slice(0, limit);
    return entries.map((e) => [toHex(e.key), toHex(e.value)]);
  }
}

/** Registers the model test inside the caller's `describe`. */
export function defineStorageModelTest(
  fresh: () => Promise<StorageAdapter>,
  options: { readonly propertyRuns?: number; readonly propertySeed?: number },
): void {
  it('matches a simple model over random op sequences (fast-check)', async () => {
    const property = fc.asyncProperty(fc.array(commandArb, { maxLength: 25 }), async (commands) => {
      const db = await fresh();
      const model = new Model();
      try {
        for (const [step, c] of commands.entries()) {
          const where = `step ${step}: ${c.t}`;
          if (c.t === 'write') {
            await db.write(c.ops, c.durability === 'default' ? undefined : { durability: c.durability });
            model.write(c.ops);
          } else if (c.t === 'get') {
            const got = await db.getMany(c.store, c.keys);
            expect(
              got.map((v) => v && toHex(v)),
              where,
            ).toEqual(model.get(c.store, c.keys));
            if (c.keys[0] !== undefined) {
              const one = await db.get(c.store, c.keys[0]);
              expect(one && toHex(one), where).toEqual(model.get(c.store, [c.keys[0]])[0]);
            }
          } else {
            const got = await db.scan(c.store, c.options);
            expect(
              got.map((e) => [toHex(e.key), toHex(e.value)]),
              where,
            ).toEqual(model.scan(c.store, c.options));
          }
        }
      } finally {
        await db.close();
      }
    });
    const params: fc.Parameters<[Command[]]> = { numRuns: options.propertyRuns ?? 40 };
    await fc.assert(property, options.propertySeed === undefined ? params : { ...params, seed: options.propertySeed });
  });
}
