import { describe, expect, it } from 'vitest';
import { Rng, runStorageAdapterTests, seedsToRun, withSeed } from '../testing/index.ts';
import type { WriteOp } from './storage-port.ts';
import { createMemoryStorage } from './memory-storage.ts';

runStorageAdapterTests('memory', async () => createMemoryStorage(), {
  supportsQuota: true,
  makeFullAdapter: async () => createMemoryStorage({ quotaBytes: 1024 * 1024 }),
});

describe('memory storage', () => {
  it('counts overwrites and deletes against the quota, not just puts', async () => {
    const db = createMemoryStorage({ quotaBytes: 100 });
    const key = Uint8Array.of(1);
    await db.write([{ type: 'put', store: 'docs', key, value: new Uint8Array(90) }]);
    // Replacing a value frees the old bytes, so this fits.
    await db.write([{ type: 'put', store: 'docs', key, value: new Uint8Array(95) }]);
    await expect(db.write([{ type: 'put', store: 'meta', key, value: new Uint8Array(10) }])).rejects.toMatchObject({
      code: 'E_QUOTA',
    });
    await db.write([
      { type: 'delete', store: 'docs', key },
      { type: 'put', store: 'meta', key, value: new Uint8Array(10) },
    ]);
    expect((await db.get('meta', key))?.length).toBe(10);
  });

  it('keeps scans right while writes interleave with them (lazy index merge)', async () => {
    const db = createMemoryStorage();
    const expected = new Set<number>();
    for (let round = 0; round < 50; round++) {
      const ops = [];
      for (let j = 0; j < 20; j++) {
        const n = (round * 131 + j * 17) % 400;
        if ((round + j) % 5 === 0) {
          ops.push({ type: 'delete' as const, store: 'docs' as const, key: Uint8Array.of(n >> 8, n & 0xff) });
          expected.delete(n);
        } else {
          ops.push({
            type: 'put' as const,
            store: 'docs' as const,
            key: Uint8Array.of(n >> 8, n & 0xff),
            value: Uint8Array.of(1),
          });
          expected.add(n);
        }
      }
      await db.write(ops);
      const keys = (await db.scan('docs')).map((e) => (e.key[0]! << 8) | e.key[1]!);
      expect(keys).toEqual([...expected].sort((a, b) => a - b));
    }
  });

  it('keeps range reads right across many index merges, with range deletes and re-puts (seeded)', async () => {
    for (const seed of seedsToRun(3))
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const db = createMemoryStorage();
        const live = new Set<number>();
        const key = (n: number): Uint8Array => Uint8Array.of(n >> 16, (n >> 8) & 0xff, n & 0xff);
        const num = (k: Uint8Array): number => (k[0]! << 16) | (k[1]! << 8) | k[2]!;
        // Enough distinct keys to cross the insert buffer's merge point several times.
        for (let round = 0; round < 40; round++) {
          const ops: WriteOp[] = [];
          for (let j = 0; j < 400; j++) {
            const n = rng.int(20_000);
            const r = rng.int(20);
            if (r === 0) {
              const hi = n + (1 + rng.int(300));
              ops.push({ type: 'deleteRange', store: 'docs', gte: key(n), lt: key(hi) });
              for (const x of [...live]) if (x >= n && x < hi) live.delete(x);
            } else if (r < 4) {
              ops.push({ type: 'delete', store: 'docs', key: key(n) });
              live.delete(n);
            } else {
              ops.push({ type: 'put', store: 'docs', key: key(n), value: Uint8Array.of(round) });
              live.add(n);
            }
          }
          await db.write(ops);
          const lo = rng.int(20_000);
          const hi = lo + rng.int(5_000);
          const want = [...live].filter((x) => x >= lo && x < hi).sort((a, b) => a - b);
          const got = (await db.scan('docs', { gte: key(lo), lt: key(hi) })).map((e) => num(e.key));
          expect(got).toEqual(want);
          const back = (await db.scan('docs', { gte: key(lo), lt: key(hi), reverse: true, limit: 7 })).map((e) =>
            num(e.key),
          );
          expect(back).toEqual(want.reverse().slice(0, 7));
        }
        expect((await db.scan('docs')).map((e) => num(e.key))).toEqual([...live].sort((a, b) => a - b));
      });
  });
});
