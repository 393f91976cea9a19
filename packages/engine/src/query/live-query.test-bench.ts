/**
 * Node micro-benchmark: latency from `change()` to the live-query diff with 10,000 docs and 5
 * live queries, against re-running the 5 queries from scratch after each commit.
 * Run: `npx tsx packages/engine/src/query/live-query.test-bench.ts [docs] [changes]`.
 */
import { createReplica, generateIdentity, type Replica } from '../index.ts';
import { runQuery } from './run-query.ts';
import { queriesOf } from './replica-queries.ts';
import type { QueryBuilder } from './query-builder.ts';

const DOCS = Number(process.argv[2] ?? 10_000);
const CHANGES = Number(process.argv[3] ?? 200);

async function setup(): Promise<Replica> {
  const r = await createReplica({
    identity: await generateIdentity(),
    create: { name: 'bench' },
    indexes: [{ name: 'by_done_order', collection: 'todos', fields: ['done', 'order'] }],
  });
  for (let start = 0; start < DOCS; start += 2000)
    await r.change((tx) => {
      for (let i = start; i < Math.min(DOCS, start + 2000); i++) {
        if (i % 100 === 0) tx.insert('lists', { title: `list ${i / 100}` }, `l${i / 100}`);
        tx.insert(
          'todos',
          { done: i % 4 === 0, order: i, list: `l${Math.floor(i / 100)}`, title: `todo ${i}` },
          `t${i}`,
        );
      }
    });
  return r;
}

function queries(r: Replica): QueryBuilder[] {
  const t = r.query('todos');
  return [
    t.where('done', '==', false).orderBy('order').limit(50),
    t.where('done', '==', false).orderBy('order').limit(50).include('list'),
    t.orderBy('title').limit(20),
    t.where('list', '==', 'l7'),
    t.where('order', '<', 500).orderBy('order', 'desc').limit(10),
  ];
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]!;

async function measure(label: string, mode: 'none' | 'live' | 'rerun'): Promise<Record<string, number>> {
  const r = await setup();
  const qs = queries(r);
  let delivered = 0;
  let inListeners = 0;
  if (mode === 'live') for (const q of qs) r.subscribe(q, () => delivered++);
  if (mode === 'rerun')
    r.onCommit(() => {
      for (const q of qs) runQuery(queriesOf(r).source(), q.spec);
      delivered += qs.length;
    });
  // Time spent in commit listeners (live queries, the naive re-runs, and any other listener).
  const listeners = r.internals.listeners;
  for (const l of [...listeners]) {
    listeners.delete(l);
    listeners.add((e) => {
      const t0 = performance.now();
      l(e);
      inListeners += performance.now() - t0;
    });
  }
  const lat: number[] = [];
  const diffLat: number[] = [];
  for (let k = 0; k < CHANGES; k++) {
    // Half the updates re-sort or evict rows inside the limited windows, half toggle any doc.
    const inWindow = k % 2 === 0;
    const i = inWindow ? (k * 7) % 60 : (k * 7919) % DOCS;
    const before = delivered;
    const t0 = performance.now();
    await r.change((tx) =>
      tx.update('todos', `t${i}`, inWindow ? { order: k % 4 ? -k : DOCS + k } : { done: k % 3 === 0 }),
    );
    lat.push(performance.now() - t0);
    if (delivered > before) diffLat.push(lat[lat.length - 1]!);
  }
  const out = {
    p50_ms: pct(lat, 0.5),
    p95_ms: pct(lat, 0.95),
    listeners_ms_per_change: inListeners / CHANGES,
    changes_with_diff: diffLat.length,
    p50_with_diff_ms: diffLat.length > 0 ? pct(diffLat, 0.5) : 0,
  };
  console.log(
    label.padEnd(34),
    Object.entries(out)
      .map(([k, v]) => `${k}=${v.toFixed(3)}`)
      .join('  '),
  );
  return out;
}

const none = await measure('change() alone', 'none');
const live = await measure('change() + 5 live queries', 'live');
const rerun = await measure('change() + 5 naive re-runs', 'rerun');
console.log(
  JSON.stringify({
    docs: DOCS,
    changes: CHANGES,
    none,
    live,
    rerun,
    speedup: rerun.listeners_ms_per_change! / live.listeners_ms_per_change!,
  }),
);
