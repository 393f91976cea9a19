import { describe, expect, it } from 'vitest';
import { runStorageAdapterTests } from '../testing/index.ts';
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
});
