/**
 * `livequery` (browser side): 10,000 todos in a replica over the IndexedDB adapter (strict
 * durability, secondary indexes), 5 live queries subscribed, then N single-doc updates (one
 * `change()` each). Latency: from the `change()` call to the moment the last subscriber that
 * gets a diff for that change has its callback run. Baseline, same page, same replica, no
 * subscriptions: the same kind of update, then all 5 queries re-run from scratch with `.run()`.
 */
import { createReplica, generateIdentity, type StorageAdapter, type QueryBuilder, type Replica } from '@weft/engine';
import { openIndexedDbStorage } from '@weft/worker';
import { deleteDatabase, freshName, median } from '../lib/idb-util.ts';

interface Todo {
  title: string;
  done: boolean;
  order: number;
  list: string;
}

const C = 'todos';

/** Deterministic PRNG (mulberry32), so every run applies the same updates. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

const round3 = (x: number): number => Number(x.toFixed(3));

/** Times the storage write of each commit (the durable IndexedDB transaction). */
const lastWrite = { ms: 0 };
function timed(inner: StorageAdapter): StorageAdapter {
  return {
    ...inner,
    async write(ops, options) {
      const t0 = performance.now();
      await inner.write(ops, options);
      lastWrite.ms = performance.now() - t0;
    },
  };
}

function queries(r: Replica): QueryBuilder[] {
  return [
    r.query(C).where('done', '==', false).orderBy('order').limit(50),
    r.query(C).where('list', '==', 'a').orderBy('order'),
    r.query(C).where('order', '>=', 5000).orderBy('order', 'desc').limit(20),
    r.query(C).where('title', 'startsWith', 't1'),
    r.query(C).orderBy('title').limit(100),
  ];
}

/**
 * The u-th update, rotating over kinds that each hit at least one query: re-order a list-`a`
 * todo (query 2), toggle `done` on a todo near the top of the order (query 1), move a todo to
 * the top of the descending order (query 3, and 2 when in list `a`), retitle a todo so it sorts
 * first by title and leaves `startsWith 't1'` if it was there (queries 5 and 4).
 */
function nextUpdate(u: number, docs: Todo[], rand: () => number): { id: number; fields: Partial<Todo> } {
  const pick = (ok: (t: Todo) => boolean): number => {
    for (;;) {
      const j = Math.floor(rand() * docs.length);
      if (ok(docs[j]!)) return j;
    }
  };
  let id: number;
  let fields: Partial<Todo>;
  switch (u % 4) {
    case 0:
      id = pick((t) => t.list === 'a');
      fields = { order: Math.floor(rand() * docs.length) };
      break;
    case 1:
      id = pick((t) => t.order < 60);
      fields = { done: !docs[id]!.done };
      break;
    case 2:
      id = pick(() => true);
      fields = { order: docs.length + u };
      break;
    default:
      id = pick(() => true);
      // Decreasing, so each new title sorts before every earlier one (always in the first 100).
      fields = { title: `t0${(99_999 - u).toString().padStart(5, '0')}` };
  }
  Object.assign(docs[id]!, fields);
  return { id, fields };
}

const docId = (i: number): string => `todo${i.toString().padStart(6, '0')}`;

export async function run(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const n = Number(args.docs ?? 10_000);
  const updates = Number(args.updates ?? 1_000);
  const naiveUpdates = Number(args.naive ?? updates);
  const durability = args.durability === 'relaxed' ? 'relaxed' : 'strict';
  const warmup = 20;
  const name = freshName('weft-livequery');
  const storage = await openIndexedDbStorage(name);
  const replica = await createReplica({
    identity: await generateIdentity(),
    storage: timed(storage),
    create: { name: 'livequery' },
    durability,
    indexes: [
      { name: 'by_done_order', collection: C, fields: ['done', 'order'] },
      { name: 'by_list_order', collection: C, fields: ['list', 'order'] },
      { name: 'by_order', collection: C, fields: ['order'] },
      { name: 'by_title', collection: C, fields: ['title'] },
    ],
    limits: { maxOps: 1_000_000, maxBytes: 256 * 1024 * 1024 },
  });
  const docs: Todo[] = [];
  for (let i = 0; i < n; i++) docs.push({ title: `t${i}`, done: i % 2 === 1, order: i, list: 'abcd'[i % 4]! });
  await replica.change((tx) => {
    for (let i = 0; i < n; i++) tx.insert(C, { ...docs[i]! }, docId(i));
  });
  await storage.drained();
  const qs = queries(replica);
  const plans = qs.map((q) => q.explain().plan).join(',');
  console.log(`plans: ${plans}`);

  // ---- live queries ----
  let fired = 0;
  let lastFire = 0;
  const perQueryFired = qs.map(() => 0);
  const latest: (readonly { id: string }[])[] = qs.map(() => []);
  const unsubscribe = qs.map((q, k) =>
    q.subscribe((diff) => {
      lastFire = performance.now();
      latest[k] = diff.result;
      if (diff.initial) return;
      fired++;
      perQueryFired[k]!++;
    }),
  );
  const rand = prng(42);
  const live: number[] = [];
  const writes: number[] = [];
  let unaffected = 0;
  for (let u = 0; u < warmup + updates; u++) {
    const { id, fields } = nextUpdate(u, docs, rand);
    if (u === warmup) perQueryFired.fill(0);
    fired = 0;
    const t0 = performance.now();
    await replica.change((tx) => tx.update(C, docId(id), fields));
    if (u < warmup) continue;
    if (fired === 0) unaffected++;
    else {
      live.push(lastFire - t0);
      writes.push(lastWrite.ms);
    }
  }
  // Sanity: every live result equals a fresh run.
  qs.forEach((q, k) => {
    const fresh = q.run().map((r) => r.id);
    const mine = latest[k]!.map((r) => r.id);
    if (fresh.length !== mine.length || fresh.some((id, i) => id !== mine[i]))
      throw new Error(`live query ${k + 1} diverged from run()`);
  });
  for (const off of unsubscribe) off();

  // ---- naive baseline: no subscriptions, re-run all 5 queries after each update ----
  const naive: number[] = [];
  const naiveRun: number[] = [];
  let sink = 0;
  for (let u = 0; u < warmup + naiveUpdates; u++) {
    const { id, fields } = nextUpdate(u, docs, rand);
    const t0 = performance.now();
    await replica.change((tx) => tx.update(C, docId(id), fields));
    const t1 = performance.now();
    for (const q of qs) sink += q.run().length;
    const t2 = performance.now();
    if (u < warmup) continue;
    naive.push(t2 - t0);
    naiveRun.push(t2 - t1);
  }
  if (sink === 0) throw new Error('queries returned nothing');
  await replica.close();
  await deleteDatabase(name);

  const p50 = percentile(live, 0.5);
  const naiveP50 = percentile(naive, 0.5);
  return {
    bench: 'livequery',
    docs: n,
    updates,
    p50_ms: round3(p50),
    p99_ms: round3(percentile(live, 0.99)),
    naive_p50_ms: round3(naiveP50),
    speedup: Number((naiveP50 / p50).toFixed(2)),
    naive_p99_ms: round3(percentile(naive, 0.99)),
    naive_updates: naiveUpdates,
    naive_rerun_only_p50_ms: round3(median(naiveRun)),
    idb_write_p50_ms: round3(median(writes)),
    live_minus_write_p50_ms: round3(median(live.map((x, i) => x - writes[i]!))),
    affected_updates: live.length,
    unaffected_updates: unaffected,
    diffs_per_query: perQueryFired.join('/'),
    plans,
    durability,
  };
}
