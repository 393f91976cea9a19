import { beforeEach, describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, type Replica } from '../index.ts';
import type { LiveDiff } from './live-query.ts';
import type { QueryBuilder } from './query-builder.ts';
import type { Row } from './rows.ts';

let r: Replica;
beforeEach(async () => {
  r = await createReplica({
    identity: await generateIdentity(),
    create: { name: 't' },
    indexes: [{ name: 'by_done_order', collection: 'todos', fields: ['done', 'order'] }],
  });
  await r.change((tx) => {
    tx.insert('lists', { title: 'Home' }, 'l1');
    tx.insert('lists', { title: 'Work' }, 'l2');
    for (let i = 1; i <= 5; i++) tx.insert('todos', { done: false, order: i * 10, list: i % 2 ? 'l1' : 'l2' }, `t${i}`);
  });
});

function watch(q: QueryBuilder): { diffs: LiveDiff[]; last: () => LiveDiff; stop: () => void } {
  const diffs: LiveDiff[] = [];
  const stop = r.subscribe(q, (d) => diffs.push(d));
  return { diffs, last: () => diffs[diffs.length - 1]!, stop };
}

const ids = (rows: readonly Row[]): string[] => rows.map((x) => x.id);
const open = () => r.query('todos').where('done', '==', false).orderBy('order');

describe('live queries', () => {
  it('deliver the initial result as the first diff', () => {
    const w = watch(open());
    expect(w.diffs).toHaveLength(1);
    expect(w.last()).toMatchObject({ initial: true, removed: [], changed: [], moved: [] });
    expect(w.last().added.map((a) => [a.id, a.index])).toEqual([
      ['t1', 0],
      ['t2', 1],
      ['t3', 2],
      ['t4', 3],
      ['t5', 4],
    ]);
    expect(w.last().result).toEqual(open().run());
  });

  it('added: a new matching doc, at its index; other rows keep their identity', async () => {
    const w = watch(open());
    const before = w.last().result;
    await r.change((tx) => tx.insert('todos', { done: false, order: 25 }, 't6'));
    const d = w.last();
    expect(d.added).toEqual([{ id: 't6', index: 2, row: { id: 't6', done: false, order: 25 } }]);
    expect(d.removed.length + d.changed.length + d.moved.length).toBe(0);
    expect(ids(d.result)).toEqual(['t1', 't2', 't6', 't3', 't4', 't5']);
    for (const row of before) expect(d.result.find((x) => x.id === row.id)).toBe(row);
  });

  it('removed: a doc deleted or no longer matching, at its previous index', async () => {
    const w = watch(open());
    await r.change((tx) => tx.delete('todos', 't2'));
    expect(w.last().removed).toEqual([{ id: 't2', index: 1 }]);
    await r.change((tx) => tx.update('todos', 't4', { done: true }));
    expect(w.last().removed).toEqual([{ id: 't4', index: 2 }]);
    expect(ids(w.last().result)).toEqual(['t1', 't3', 't5']);
  });

  it('changed: a new object for the changed row only', async () => {
    const w = watch(open());
    const before = w.last().result;
    await r.change((tx) => tx.update('todos', 't3', { title: 'x' }));
    const d = w.last();
    expect(d.changed).toEqual([{ id: 't3', index: 2, row: { ...before[2]!, title: 'x' } }]);
    expect(d.moved).toEqual([]);
    expect(d.result[2]).not.toBe(before[2]);
    d.result.forEach((row, i) => i !== 2 && expect(row).toBe(before[i]));
  });

  it('moved: an update that re-sorts the row', async () => {
    const w = watch(open());
    await r.change((tx) => tx.update('todos', 't1', { order: 45 }));
    const d = w.last();
    expect(d.moved).toEqual([{ id: 't1', from: 0, to: 3 }]);
    expect(d.changed.map((c) => [c.id, c.index])).toEqual([['t1', 3]]);
    expect(ids(d.result)).toEqual(['t2', 't3', 't4', 't1', 't5']);
  });

  it('no diff when nothing visible changed, or another collection changed', async () => {
    const w = watch(open());
    await r.change((tx) => tx.update('todos', 't1', { order: 10 }));
    await r.change((tx) => tx.insert('other', { x: 1 }, 'o1'));
    await r.change((tx) => tx.update('todos', 't2', { done: true }));
    await r.change((tx) => tx.update('todos', 't2', { order: 999 })); // outside the result
    expect(w.diffs).toHaveLength(2);
  });

  it('include: rows change when the included doc changes, appears or is deleted', async () => {
    const w = watch(open().include('list'));
    const before = w.last().result;
    await r.change((tx) => tx.update('lists', 'l2', { title: 'Office' }));
    let d = w.last();
    expect(d.changed.map((c) => c.id)).toEqual(['t2', 't4']);
    expect((d.result[1]!.list as Row).title).toBe('Office');
    for (const i of [0, 2, 4]) expect(d.result[i]).toBe(before[i]);
    await r.change((tx) => tx.delete('lists', 'l1'));
    d = w.last();
    expect(d.changed.map((c) => c.id)).toEqual(['t1', 't3', 't5']);
    expect(d.result[0]!.list).toBeNull();
    await r.change((tx) => tx.update('todos', 't1', { list: 'l3' }));
    await r.change((tx) => tx.insert('lists', { title: 'New' }, 'l3'));
    expect(w.last().changed.map((c) => c.id)).toEqual(['t1']);
    expect(w.last().result[0]!.list).toEqual({ id: 'l3', title: 'New' });
    expect(w.last().result).toEqual(open().include('list').run());
  });

  it('nested include: a change two levels down re-builds the rows that reach it', async () => {
    await r.change((tx) => {
      tx.insert('users', { name: 'Ann' }, 'u1');
      tx.update('lists', 'l1', { owner: 'u1' });
    });
    const q = open().include('list.owner', { collection: 'users' });
    const w = watch(q);
    const before = w.last().result;
    await r.change((tx) => tx.update('users', 'u1', { name: 'Bob' }));
    expect(w.last().changed.map((c) => c.id)).toEqual(['t1', 't3', 't5']);
    expect(((w.last().result[0]!.list as Row).owner as Row).name).toBe('Bob');
    expect(w.last().result[1]).toBe(before[1]);
    expect(w.last().result).toEqual(q.run());
  });

  it('a limited window refills from the full matching set and pushes rows out', async () => {
    const w = watch(open().limit(3));
    expect(ids(w.last().result)).toEqual(['t1', 't2', 't3']);
    await r.change((tx) => tx.delete('todos', 't2'));
    expect(w.last()).toMatchObject({ removed: [{ id: 't2', index: 1 }], added: [{ id: 't4', index: 2 }] });
    await r.change((tx) => tx.insert('todos', { done: false, order: 1 }, 't0'));
    expect(w.last()).toMatchObject({ added: [{ id: 't0', index: 0 }], removed: [{ id: 't4', index: 2 }] });
    await r.change((tx) => tx.update('todos', 't5', { order: 2 }));
    expect(w.last()).toMatchObject({ added: [{ id: 't5', index: 1 }], removed: [{ id: 't3', index: 2 }] });
    expect(w.last().result).toEqual(open().limit(3).run());
  });

  it('a cursor-and-offset window follows the cursor position', async () => {
    const first = open().limit(2);
    const q = first.after(first.cursor(first.run()[1]!)).offset(1).limit(2);
    const w = watch(q);
    expect(ids(w.last().result)).toEqual(['t4', 't5']);
    await r.change((tx) => tx.insert('todos', { done: false, order: 21 }, 'tx'));
    expect(ids(w.last().result)).toEqual(['t3', 't4']);
    await r.change((tx) => tx.delete('todos', 't1')); // before the cursor: no change
    expect(ids(w.last().result)).toEqual(['t3', 't4']);
    expect(w.last().result).toEqual(q.run());
  });

  it('stop after unsubscribe; a throwing subscriber does not disturb the others', async () => {
    const w = watch(open());
    const stop = r.subscribe(open(), () => {
      throw new Error('boom');
    });
    w.stop();
    await r.change((tx) => tx.delete('todos', 't1'));
    expect(w.diffs).toHaveLength(1);
    const w2 = watch(open());
    await r.change((tx) => tx.delete('todos', 't2'));
    expect(w2.diffs).toHaveLength(2);
    stop();
    w2.stop();
  });
});

describe('live queries during sync', () => {
  it('never show a doc created and deleted in one synced batch, and let a concurrent delete win', async () => {
    const b = await createReplica({ identity: await generateIdentity(), db: r.dbId });
    for (const e of r.changes()) await b.ingest(e.sc.bytes);
    const w = watch(r.query('todos').orderBy('order'));
    const seen = new Set<string>();
    r.subscribe(r.query('todos').orderBy('order'), (d) => d.result.forEach((x) => seen.add(x.id)));
    await b.change((tx) => tx.insert('todos', { done: false, order: 1 }, 'ghost'));
    await b.change((tx) => tx.delete('todos', 'ghost'));
    await b.change((tx) => tx.delete('todos', 't3'));
    await r.change((tx) => tx.update('todos', 't3', { order: 0 })); // concurrent with b's delete
    expect(ids(w.last().result)[0]).toBe('t3');
    const missing = b.changes().filter((e) => r.getChange(e.sc.hash) === undefined);
    await r.ingestMany(missing.map((e) => e.sc.bytes));
    expect(seen.has('ghost')).toBe(false);
    expect(ids(w.last().result)).toEqual(['t1', 't2', 't4', 't5']);
    expect(w.last().removed).toEqual([{ id: 't3', index: 0 }]);
    expect(w.last().result).toEqual(r.query('todos').orderBy('order').run());
  });
});
