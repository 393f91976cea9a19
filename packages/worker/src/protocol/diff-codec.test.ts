import { describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, query, type QueryBuilder, type Row } from '@weft/engine';
import { Rng, seedsToRun, withSeed } from '@weft/engine/testing';
import { applyDiff, decodeDiff, encodeDiff } from './diff-codec.ts';

const QUERIES: QueryBuilder[] = [
  query('todos'),
  query('todos').orderBy('order'),
  query('todos').where('done', '==', false).orderBy('order', 'desc').limit(4),
  query('todos').orderBy('title').offset(2).limit(3),
];

describe('live diffs over the boundary', () => {
  it('patch the previous result into the new one, keeping untouched rows (seeded)', async () => {
    for (const seed of seedsToRun(4)) {
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const r = await createReplica({ identity: await generateIdentity(), create: { name: 'd' } });
        const ids = Array.from({ length: 12 }, (_, i) => `doc${String(i).padStart(19, '0')}`);
        const client: Row[][] = QUERIES.map(() => []);
        const failures: unknown[] = [];
        QUERIES.forEach((q, i) =>
          r.subscribe(q, (d) => {
            try {
              const prev = client[i]!;
              const next = applyDiff(prev, decodeDiff(encodeDiff(d)));
              expect(next).toEqual(d.result);
              const touched = new Set([...d.added, ...d.changed].map((x) => x.id));
              const before = new Map(prev.map((x) => [x.id, x]));
              for (const row of next) if (!touched.has(row.id) && !d.initial) expect(row).toBe(before.get(row.id));
              client[i] = next;
            } catch (err) {
              failures.push(err);
            }
          }),
        );
        for (let step = 0; step < 60; step++) {
          await r.change((tx) => {
            for (let k = 0; k <= rng.int(3); k++) {
              const id = ids[rng.int(ids.length)]!;
              const doc = r.get('todos', id);
              const roll = rng.int(10);
              if (doc === undefined || roll < 3)
                tx.insert('todos', { title: `t${rng.int(50)}`, done: rng.int(2) === 0, order: rng.int(20) }, id);
              else if (roll < 5) tx.delete('todos', id);
              else if (roll < 8) tx.set('todos', id, 'order', rng.int(20));
              else tx.set('todos', id, 'done', rng.int(2) === 0);
            }
          });
        }
        expect(failures).toEqual([]);
      });
    }
  });

  it('refuses a diff that does not fit the current result', () => {
    const row = (id: string): Row => ({ id, n: 1 });
    const d = { initial: false, size: 1, added: [], removed: [['zz', 0]] as const, changed: [], moved: [] };
    expect(() => applyDiff([row('a')], d)).toThrow(/E_PROTOCOL/);
    expect(() => applyDiff([row('a')], { ...d, removed: [], size: 3 })).toThrow(/E_PROTOCOL/);
    expect(() => decodeDiff(new Uint8Array([0xa0]))).toThrow(/E_PROTOCOL/);
    expect(() => decodeDiff(new Uint8Array([0xff, 1]))).toThrow(/E_DECODE/);
  });
});
