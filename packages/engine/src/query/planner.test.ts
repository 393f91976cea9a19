import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { Rng, seedsToRun, withSeed } from '../testing/random.ts';
import { and, cmp, eq, or } from './predicate.ts';
import { query, type QueryBuilder } from './query-builder.ts';
import type { ComparisonOp, Predicate } from './query-spec.ts';
import { explainQuery, runQuery } from './run-query.ts';
import { TestSource } from './test-source.ts';

const DEFS = [
  { name: 'by_done_order', collection: 'todos', fields: ['done', 'order'] },
  { name: 'by_order', collection: 'todos', fields: ['order'] },
  { name: 'by_list_title', collection: 'todos', fields: ['list', 'meta.title'] },
];

function fill(src: TestSource, rng: Rng, n: number): void {
  const pick = (): CanonicalValue =>
    rng.pick<CanonicalValue>([null, true, false, 0, 1, 2.5, -3, 'a', 'ab', 'b', [1], { x: 1 }]);
  for (let i = 0; i < n; i++) {
    const doc: Record<string, CanonicalValue> = { done: rng.bool(), order: rng.bool(0.9) ? rng.int(20) : pick() };
    if (rng.bool(0.8)) doc.list = rng.pick(['l1', 'l2', 'l3']);
    if (rng.bool(0.7)) doc.meta = { title: rng.bool(0.8) ? rng.pick(['a', 'ab', 'abc', 'b', 'ba']) : pick() };
    src.put('todos', `d${i}`, doc);
  }
}

const explain = (src: TestSource, b: QueryBuilder) => explainQuery(src, b.spec);

describe('planner', () => {
  const src = new TestSource(DEFS);
  fill(src, new Rng('planner-fixed'), 60);

  it('scans without a usable index', () => {
    expect(explain(src, query('todos'))).toMatchObject({ plan: 'scan', order: 'sort' });
    expect(explain(src, query('todos').where('title', '==', 'x'))).toMatchObject({ plan: 'scan' });
    expect(explain(src, query('todos').where(or(eq('done', true), eq('order', 1))))).toMatchObject({ plan: 'scan' });
    expect(explain(src, query('lists').where('done', '==', true))).toMatchObject({ plan: 'scan' });
    expect(explain(src.withoutIndexes() as TestSource, query('todos').where('done', '==', true)).plan).toBe('scan');
  });

  it('uses the longest equality prefix, then a range, then the order', () => {
    expect(explain(src, query('todos').where('done', '==', false).orderBy('order'))).toEqual({
      plan: 'index',
      collection: 'todos',
      index: 'by_done_order',
      equality: ['done'],
      range: null,
      order: 'index',
      direction: 'forward',
    });
    expect(
      explain(src, query('todos').where('done', '==', true).where('order', '>=', 3).where('order', '<', 9)),
    ).toMatchObject({
      index: 'by_done_order',
      equality: ['done'],
      range: 'order',
      order: 'sort', // no orderBy: id order, not the index's
    });
    expect(explain(src, query('todos').where('order', '>', 3).orderBy('order', 'desc'))).toMatchObject({
      index: 'by_order',
      range: 'order',
      order: 'index',
      direction: 'reverse',
    });
    expect(explain(src, query('todos').where('list', '==', 'l1').where('meta.title', 'startsWith', 'a'))).toMatchObject(
      {
        index: 'by_list_title',
        equality: ['list'],
        range: 'meta.title',
      },
    );
    expect(explain(src, query('todos').where('done', '==', true).where('order', '==', 3))).toMatchObject({
      index: 'by_done_order',
      equality: ['done', 'order'],
      order: 'index',
    });
  });

  it('uses an index for order alone, and sorts when the directions disagree', () => {
    expect(explain(src, query('todos').orderBy('order').limit(5))).toMatchObject({ index: 'by_order', order: 'index' });
    expect(explain(src, query('todos').orderBy('done').orderBy('order', 'desc'))).toMatchObject({ plan: 'scan' });
    expect(
      explain(src, query('todos').where('done', '==', true).orderBy('order').orderBy('done', 'desc')),
    ).toMatchObject({
      index: 'by_done_order',
      order: 'sort', // ties run by id desc (the last key's direction), the index gives id asc
    });
  });

  it('returns the same rows with and without indexes (seeded random queries)', () => {
    const ops: ComparisonOp[] = ['==', '!=', '<', '<=', '>', '>=', 'in', 'contains', 'startsWith'];
    const fields = ['done', 'order', 'list', 'meta.title', 'meta', 'id'];
    const values: CanonicalValue[] = [
      null,
      true,
      false,
      0,
      3,
      7,
      2.5,
      'a',
      'ab',
      'l1',
      'l2',
      'd1',
      { title: 'a' },
      [1],
    ];
    for (const seed of seedsToRun(10)) {
      withSeed(seed, () => {
        const rng = new Rng(seed);
        const s = new TestSource(DEFS);
        fill(s, rng.fork('docs'), 80);
        const ref = s.withoutIndexes();
        const leaf = (): Predicate => {
          const op = rng.pick(ops);
          const v =
            op === 'in'
              ? [rng.pick(values), rng.pick(values)]
              : op === 'startsWith'
                ? rng.pick(['a', 'l', '', 'ab'])
                : rng.pick(values);
          return cmp(rng.pick(fields), op, v);
        };
        let used = 0;
        for (let i = 0; i < 60; i++) {
          let b = query('todos');
          const n = rng.int(4);
          for (let j = 0; j < n; j++)
            b = b.where(rng.bool(0.85) ? leaf() : rng.bool() ? or(leaf(), leaf()) : and(leaf(), leaf()));
          for (let j = rng.int(3); j > 0; j--) b = b.orderBy(rng.pick(fields), rng.bool() ? 'asc' : 'desc');
          if (rng.bool(0.3)) b = b.offset(rng.int(5));
          if (rng.bool(0.5)) b = b.limit(rng.int(12));
          if (explainQuery(s, b.spec).plan === 'index') used++;
          expect(runQuery(s, b.spec), JSON.stringify(b.spec)).toEqual(runQuery(ref, b.spec));
        }
        expect(used).toBeGreaterThan(5);
      });
    }
  });
});
