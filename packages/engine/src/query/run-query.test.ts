import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { and, contains, eq, gt, isIn, lt, ne, or, startsWith } from './predicate.ts';
import type { QueryBuilder } from './query-builder.ts';
import { query } from './query-builder.ts';
import type { ComparisonOp, Query } from './query-spec.ts';
import { cursorOf } from './row-order.ts';
import type { Row } from './rows.ts';
import { runQuery } from './run-query.ts';
import { TestSource } from './test-source.ts';

const src = new TestSource()
  .put('t', 'a', { n: 1, s: 'apple', tags: ['x', 'y'], meta: { x: 1 }, done: false })
  .put('t', 'b', { n: 2, s: 'banana', tags: ['y'], meta: { x: 2 }, done: true })
  .put('t', 'c', { n: 3, s: 'apricot', tags: [], meta: { x: 1 }, done: false })
  .put('t', 'd', { n: 'three', s: 'cherry', done: true })
  .put('t', 'e', { n: null, s: 'date', meta: 5, done: false })
  .put('t', 'f', { s: 'Apple pie', tags: [1, 'x'], done: false });

const run = (b: QueryBuilder, source = src): Row[] => runQuery(source, b.spec);
const ids = (b: QueryBuilder, source = src): string[] => run(b, source).map((r) => r.id);
const where = (field: string, op: ComparisonOp, value: CanonicalValue): string[] =>
  ids(query('t').where(field, op, value));

describe('where operators', () => {
  it('== and != use deep equality; a missing field equals null', () => {
    expect(where('n', '==', 2)).toEqual(['b']);
    expect(where('n', '==', null)).toEqual(['e', 'f']);
    expect(where('tags', '==', ['y'])).toEqual(['b']);
    expect(where('meta', '==', { x: 1 })).toEqual(['a', 'c']);
    expect(where('n', '!=', null)).toEqual(['a', 'b', 'c', 'd']);
    expect(where('done', '!=', false)).toEqual(['b', 'd']);
  });

  it('range operators match only the operand’s type class', () => {
    expect(where('n', '<', 3)).toEqual(['a', 'b']);
    expect(where('n', '<=', 3)).toEqual(['a', 'b', 'c']);
    expect(where('n', '>', 1)).toEqual(['b', 'c']);
    expect(where('n', '>=', 1)).toEqual(['a', 'b', 'c']);
    expect(where('n', '>', 'a')).toEqual(['d']);
    expect(where('done', '<', true)).toEqual(['a', 'c', 'e', 'f']);
  });

  it('in, contains (array element or substring) and startsWith', () => {
    expect(where('n', 'in', [1, 'three', null])).toEqual(['a', 'd', 'e', 'f']);
    expect(where('tags', 'contains', 'x')).toEqual(['a', 'f']);
    expect(where('tags', 'contains', 1)).toEqual(['f']);
    expect(where('s', 'contains', 'an')).toEqual(['b']);
    expect(where('s', 'startsWith', 'ap')).toEqual(['a', 'c']);
    expect(where('n', 'startsWith', 'th')).toEqual(['d']);
  });

  it('nested paths read through objects; a path through a non-object is null', () => {
    expect(where('meta.x', '==', 1)).toEqual(['a', 'c']);
    expect(where('meta.x', '==', null)).toEqual(['d', 'e', 'f']);
  });

  it('the id field, and/or combinators, and chained where as and', () => {
    expect(where('id', 'in', ['b', 'z', 'e'])).toEqual(['b', 'e']);
    expect(ids(query('t').where(or(eq('n', 1), and(eq('done', true), startsWith('s', 'c')))))).toEqual(['a', 'd']);
    expect(ids(query('t').where('done', '==', false).where('n', '>', 0))).toEqual(['a', 'c']);
    expect(ids(query('t').where(and()))).toHaveLength(6);
    expect(ids(query('t').where(or()))).toEqual([]);
    expect(ids(query('t').where(or(lt('n', 2), gt('n', 2), isIn('id', ['d']), ne('s', 'date'))))).toEqual([
      'a',
      'b',
      'c',
      'd',
      'f',
    ]);
    expect(ids(query('t').where(contains('tags', 'y')).where(eq('meta.x', 2)))).toEqual(['b']);
  });
});

describe('orderBy', () => {
  it('sorts by several keys, mixed types by the total order, ties by id', () => {
    expect(ids(query('t').orderBy('n'))).toEqual(['e', 'f', 'a', 'b', 'c', 'd']);
    expect(ids(query('t').orderBy('done').orderBy('s', 'desc'))).toEqual(['e', 'c', 'a', 'f', 'd', 'b']);
    // Ties (done) broken by id in the direction of the last key.
    expect(ids(query('t').orderBy('done'))).toEqual(['a', 'c', 'e', 'f', 'b', 'd']);
    expect(ids(query('t').orderBy('done', 'desc'))).toEqual(['d', 'b', 'f', 'e', 'c', 'a']);
    expect(ids(query('t').orderBy('meta.x', 'desc').orderBy('id'))).toEqual(['b', 'a', 'c', 'd', 'e', 'f']);
  });
});

describe('pagination', () => {
  it('limit and offset', () => {
    expect(ids(query('t').orderBy('s').limit(2))).toEqual(['f', 'a']);
    expect(ids(query('t').orderBy('s').offset(2).limit(2))).toEqual(['c', 'b']);
    expect(ids(query('t').orderBy('s').offset(5).limit(2))).toEqual(['e']);
    expect(ids(query('t').limit(0))).toEqual([]);
  });

  it('cursor pages walk the whole result exactly once, in order', () => {
    for (const base of [query('t').orderBy('done'), query('t').orderBy('done', 'desc').orderBy('n'), query('t')]) {
      const all = ids(base);
      const seen: string[] = [];
      let page = base.limit(2);
      for (let i = 0; i < 10; i++) {
        const rows = run(page);
        if (rows.length === 0) break;
        seen.push(...rows.map((r) => r.id));
        const cursor = page.cursor(rows[rows.length - 1]!);
        expect(JSON.parse(JSON.stringify(cursor))).toEqual(cursor);
        page = page.after(cursor);
      }
      expect(seen).toEqual(all);
    }
  });

  it('a cursor combines with offset, and must fit the orderBy', () => {
    const b = query('t').orderBy('s');
    const c = b.cursor(run(b)[0]!);
    expect(ids(b.after(c).offset(1).limit(2))).toEqual(['c', 'b']);
    expect(() => query('t').after(c)).toThrow(/E_INVALID_ARGUMENT/);
    expect(b.after(c).orderBy('n').spec.after).toBeNull();
  });
});

describe('include', () => {
  const rel = new TestSource()
    .put('users', 'u1', { name: 'Ann' })
    .put('lists', 'l1', { title: 'Home', owner: 'u1' })
    .put('lists', 'l2', { title: 'Work', owner: 'u9' })
    .put('todos', 't1', { list: 'l1', order: 1 })
    .put('todos', 't2', { list: 'l2', order: 2 })
    .put('todos', 't3', { list: 'gone', order: 3 })
    .put('todos', 't4', { list: 7, order: 4 });

  it('attaches the referenced row under the field; missing targets give null', () => {
    const rows = run(query('todos').orderBy('order').include('list'), rel);
    expect(rows.map((r) => r.list)).toEqual([
      { id: 'l1', title: 'Home', owner: 'u1' },
      { id: 'l2', title: 'Work', owner: 'u9' },
      null,
      null,
    ]);
  });

  it('nests by callback or dotted path, with an explicit collection and key', () => {
    const a = run(
      query('todos')
        .orderBy('order')
        .limit(2)
        .include('list', (q) => q.include('owner', { collection: 'users' })),
      rel,
    );
    const b = run(query('todos').orderBy('order').limit(2).include('list.owner', { collection: 'users' }), rel);
    expect(a).toEqual(b);
    expect(a[0]!.list).toEqual({ id: 'l1', title: 'Home', owner: { id: 'u1', name: 'Ann' } });
    expect((a[1]!.list as Row).owner).toBeNull();
    const c = run(query('todos').where('id', '==', 't1').include('list', { collection: 'lists', as: 'theList' }), rel);
    expect(c).toEqual([{ id: 't1', list: 'l1', order: 1, theList: { id: 'l1', title: 'Home', owner: 'u1' } }]);
  });

  it('merges repeated includes of the same key', () => {
    const q = query('todos').include('list').include('list.owner', { collection: 'users' });
    expect(q.spec.include).toEqual([
      {
        field: 'list',
        collection: null,
        as: 'list',
        include: [{ field: 'owner', collection: 'users', as: 'owner', include: [] }],
      },
    ]);
  });

  it('sorting by a field an include replaces needs another key for the include', () => {
    expect(() => query('todos').orderBy('list').include('list')).toThrow(/E_INVALID_ARGUMENT/);
    const q = query('todos').orderBy('list').include('list', { as: 'listDoc' });
    const rows = run(q, rel);
    expect(rows.map((r) => r.id)).toEqual(['t4', 't3', 't1', 't2']);
    expect(cursorOf(q.spec, rows[0]!)).toEqual({ k: [7], id: 't4' });
    expect(run(q.after(q.cursor(rows[1]!)), rel).map((r) => r.id)).toEqual(['t1', 't2']);
  });
});

describe('queries are plain, immutable data', () => {
  it('the builder never mutates; the spec survives JSON and structured clone', () => {
    const base = query('t');
    const q = base.where('n', '>', 1).orderBy('s', 'desc').limit(3).offset(1).include('list');
    expect(base.spec).toEqual({
      collection: 't',
      where: null,
      orderBy: [],
      limit: null,
      offset: 0,
      after: null,
      include: [],
    });
    const spec: Query = q.toQuery();
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(structuredClone(spec)).toEqual(spec);
    expect(runQuery(src, structuredClone(spec))).toEqual(run(q));
  });

  it('rejects malformed queries with E_INVALID_ARGUMENT', () => {
    expect(() => query('t').where('n', '~' as ComparisonOp, 1)).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').where('bad field', '==', 1)).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').where('n', 'in', 1)).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').where('n', '==', Number.NaN)).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').limit(-1)).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').include('a', { as: 'id' })).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('no such')).toThrow(/E_INVALID_ARGUMENT/);
    expect(() => query('t').run()).toThrow(/unbound/);
  });
});
