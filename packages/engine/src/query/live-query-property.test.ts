/**
 * Live-query property: for seeded random op streams (local changes on two replicas and synced
 * batches with concurrent deletes and updates), after every committed batch each live result
 * deep-equals re-running its query from scratch, and rows that did not change keep identity.
 */
import { describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, type Replica } from '../index.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { Rng, seedsToRun, withSeed } from '../testing/random.ts';
import type { Transaction } from '../replica/transaction.ts';
import { contains, lt, or } from './predicate.ts';
import type { QueryBuilder } from './query-builder.ts';
import { queriesOf } from './replica-queries.ts';
import type { Row } from './rows.ts';
import { runQuery } from './run-query.ts';
import { compareValues } from './value-order.ts';

const TODOS = Array.from({ length: 16 }, (_, i) => `t${i}`);
const LISTS = ['l0', 'l1', 'l2', 'l3'];

function randomOps(rng: Rng, tx: Transaction): void {
  for (let n = 1 + rng.int(3); n > 0; n--) {
    const id = rng.pick(TODOS);
    const order = (): CanonicalValue => (rng.bool(0.85) ? rng.int(12) : rng.pick<CanonicalValue>([null, 'x', true]));
    switch (rng.int(9)) {
      case 0:
      case 1:
        tx.insert(
          'todos',
          { done: rng.bool(), order: order(), list: rng.pick(LISTS), title: rng.pick(['a', 'b', 'c']) },
          id,
        );
        break;
      case 2:
        tx.update('todos', id, { done: rng.bool() });
        break;
      case 3:
        tx.update('todos', id, { order: order() });
        break;
      case 4:
        tx.update('todos', id, rng.bool() ? { list: rng.pick(LISTS) } : { tags: rng.bool() ? ['x'] : [] });
        break;
      case 5:
        tx.delete('todos', id);
        break;
      case 6:
        tx.update('lists', rng.pick(LISTS), { title: rng.pick(['p', 'q', 'r']) });
        break;
      case 7:
        tx.delete('lists', rng.pick(LISTS));
        break;
      default:
        tx.set('todos', id, 'meta.x', rng.int(3));
    }
  }
}

function queries(r: Replica): QueryBuilder[] {
  const base = r.query('todos');
  return [
    base.where('done', '==', false).orderBy('order'),
    base.orderBy('order', 'desc').limit(5).include('list'),
    base
      .where(or(lt('order', 5), contains('tags', 'x')))
      .orderBy('title')
      .orderBy('meta.x', 'desc')
      .offset(2)
      .limit(4),
    base.where('list', 'in', ['l0', 'l1']).include('list'),
    r.query('lists').orderBy('title', 'desc'),
    base
      .orderBy('done')
      .after({ k: [false], id: 't5' })
      .limit(3)
      .include('list'),
    base.where('done', '==', true).where('order', '>=', 3).orderBy('order').orderBy('done'),
  ];
}

describe('live queries (property)', () => {
  it('equal a fresh run after every batch, with unchanged rows keeping identity', async () => {
    for (const seed of seedsToRun(4)) {
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const a = await createReplica({
          identity: await generateIdentity(),
          create: { name: 'p' },
          indexes: [
            { name: 'by_done_order', collection: 'todos', fields: ['done', 'order'] },
            { name: 'by_order', collection: 'todos', fields: ['order'] },
          ],
        });
        const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
        for (const e of a.changes()) await b.ingest(e.sc.bytes);
        const qs = queries(a);
        const latest: (readonly Row[])[] = qs.map(() => []);
        let diffs = 0;
        // Listeners' and subscribers' throws are swallowed by design: collect failures instead.
        const failures: unknown[] = [];
        const check = (fn: () => void): void => {
          try {
            fn();
          } catch (err) {
            failures.push(err);
          }
        };
        qs.forEach((q, i) =>
          a.subscribe(q, (d) =>
            check(() => {
              // Identity: a row deep-equal to the previous row of the same id is that object.
              const prev = new Map(latest[i]!.map((x) => [x.id, x]));
              for (const row of d.result) {
                const old = prev.get(row.id);
                if (old !== undefined) expect(Object.is(old, row)).toBe(compareValues(old, row) === 0);
              }
              latest[i] = d.result;
              diffs++;
            }),
          ),
        );
        let batches = 0;
        a.onCommit(() =>
          check(() => {
            batches++;
            const plain = {
              get: (c: string, d: string) => a.get(c, d),
              list: (c: string) => a.list(c).map((v) => ({ id: v.id, value: v })),
            };
            qs.forEach((q, i) => {
              expect(latest[i]).toEqual(runQuery(queriesOf(a).source(), q.spec));
              expect(latest[i]).toEqual(runQuery(plain, q.spec));
            });
          }),
        );
        for (let step = 0; step < 50; step++) {
          const k = rng.int(10);
          if (k < 5) await a.change((tx) => randomOps(rng, tx));
          else if (k < 8) await b.change((tx) => randomOps(rng, tx));
          else {
            // A sync batch: everything b has that a lacks, in one ingest, and back.
            const toA = b.changes().filter((e) => a.getChange(e.sc.hash) === undefined);
            await a.ingestMany(toA.map((e) => e.sc.bytes));
            const toB = a.changes().filter((e) => b.getChange(e.sc.hash) === undefined);
            await b.ingestMany(toB.map((e) => e.sc.bytes));
          }
          if (failures.length > 0) throw failures[0];
        }
        expect(batches).toBeGreaterThan(25);
        expect(diffs).toBeGreaterThan(qs.length * 5);
      });
    }
  });
});
