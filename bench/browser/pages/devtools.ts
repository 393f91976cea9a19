/**
 * `devtools` (browser side): a database of `changes` signed changes in IndexedDB, opened by
 * the real SharedWorker host, with `<WeftDevtools>` mounted closed. Then:
 *  - open_ms: from the toggle's click (the panel opens on the Log tab) to the first change
 *    rows painted;
 *  - jump_ms: from scrolling the log to its middle to the rows there painted;
 *  - filter_ms (table only): from typing a document id into the log's filter to its ~100
 *    changes painted (the host scans the whole log for them).
 *
 * Setup: one author's changes (the first 1,000 insert docs, the rest update a title), each a
 * real signed change made with `replica.change` in a memory replica, then ingested (verified
 * and committed) into the database's IndexedDB storage in batches, which the host then opens.
 * The figures are taken once the host answers small requests promptly (it has settled).
 */
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { createReplica, generateIdentity } from '@weft/engine';
import { createClient, openIndexedDbStorage } from '@weft/worker';
import { WeftDevtools } from '@weft/devtools';
import { freshName } from '../lib/idb-util.ts';

const DOCS = 1000;
/** Under the IndexedDB adapter's journal threshold (1,024 ops): each batch goes straight to the stores. */
const INGEST_BATCH = 1000;

const now = (): number => performance.now();
const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

/** Resolves when `find()` returns an element, checked on every DOM change. */
function waitFor(find: () => Element | null, timeoutMs = 60_000): Promise<Element> {
  return new Promise((resolve, reject) => {
    const hit = find();
    if (hit !== null) return resolve(hit);
    const timer = setTimeout(() => {
      mo.disconnect();
      reject(new Error('timed out waiting for the panel'));
    }, timeoutMs);
    const mo = new MutationObserver(() => {
      const el = find();
      if (el === null) return;
      clearTimeout(timer);
      mo.disconnect();
      resolve(el);
    });
    mo.observe(document.body, { childList: true, subtree: true, attributes: true });
  });
}

/** Builds the database `name` in IndexedDB with `n` changes (genesis included). */
async function build(name: string, n: number): Promise<void> {
  const identity = await generateIdentity();
  const src = await createReplica({ identity, create: { name } });
  for (let i = 1; i < n; i++) {
    const id = `doc${(i % DOCS).toString().padStart(4, '0')}`;
    await src.change((tx) => {
      if (i <= DOCS) tx.insert('todos', { title: `todo ${i}`, done: false, order: i }, id);
      else tx.update('todos', id, { title: `todo ${i}` });
    });
    if (i % 20_000 === 0) console.log(`signed ${i} changes`);
  }
  const dst = await createReplica({ identity, storage: await openIndexedDbStorage(`weft:${name}`), db: src.dbId });
  const all = src.changes();
  for (let i = 0; i < all.length; i += INGEST_BATCH) {
    const results = await dst.ingestMany(all.slice(i, i + INGEST_BATCH).map((e) => e.sc.bytes));
    const bad = results.find((r) => r.status !== 'applied');
    if (bad !== undefined) throw new Error(`ingest: ${bad.status} ${bad.code ?? ''}`);
  }
  await dst.close();
  await src.close();
}

export async function run(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const n = Number(args.changes ?? 100_000);
  const name = freshName('devtools');
  const t0 = now();
  await build(name, n);
  const buildMs = now() - t0;
  const t1 = now();
  const client = createClient({ name });
  await client.ready;
  const total = (await client.inspect({ v: 1, kind: 'log', offset: 0, limit: 1 })).total;
  if (total !== n) throw new Error(`the host sees ${total} changes, not ${n}`);
  const hostOpenMs = now() - t1;
  // Measure a settled host: wait until small requests answer promptly three times in a row.
  for (let fast = 0, tries = 0; fast < 3 && tries < 600; tries++) {
    const p0 = now();
    await client.inspect({ v: 1, kind: 'log', offset: 0, limit: 1 });
    fast = now() - p0 < 20 ? fast + 1 : 0;
    if (fast === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const el = document.createElement('div');
  document.body.append(el);
  Object.assign(document.body.style, { margin: '0', height: '100vh' });
  createRoot(el).render(createElement(WeftDevtools, { client, production: false }));
  const toggle = (await waitFor(() => el.querySelector('button[data-weft-devtools-toggle]'))) as HTMLButtonElement;
  await frame();

  // Open: click to the first rows painted.
  const o0 = now();
  toggle.click();
  await waitFor(() => el.querySelector('[data-change-row]'));
  await frame();
  const openMs = now() - o0;

  // Jump: scroll to the middle, to the rows there painted.
  const scroller = el.querySelector<HTMLElement>('[data-log-scroll]')!;
  const mid = Math.floor(n / 2);
  const j0 = now();
  scroller.scrollTop = Math.max(0, scroller.scrollHeight / 2 - scroller.clientHeight / 2);
  await waitFor(
    () =>
      Array.from(el.querySelectorAll<HTMLElement>('[data-change-row]')).find(
        (r) => Math.abs(Number(r.dataset.index) - mid) < 100,
      ) ?? null,
  );
  await frame();
  const jumpMs = now() - j0;
  const rendered = el.querySelectorAll('[data-change-row]').length;

  // Filter: one document's changes (filtered in the host), to the rows painted.
  const k = 500;
  let expected = 0;
  for (let i = 1; i < n; i++) if (i % DOCS === k) expected++;
  const input = el.querySelector<HTMLInputElement>('input[data-filter="doc"]')!;
  const f0 = now();
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(
    input,
    `doc${k.toString().padStart(4, '0')}`,
  );
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await waitFor(() =>
    el.querySelector('[data-log-total]')?.getAttribute('data-log-total') === String(expected)
      ? el.querySelector('[data-change-row]')
      : null,
  );
  await frame();
  const filterMs = now() - f0;
  // The host's share: one page of 100 rows from the middle, asked directly.
  const asks: number[] = [];
  for (let k = 0; k < 5; k++) {
    const a0 = now();
    await client.inspect({ v: 1, kind: 'log', offset: mid + k * 100, limit: 100 });
    asks.push(now() - a0);
  }
  asks.sort((x, y) => x - y);
  client.close();
  return {
    changes: n,
    open_ms: Number(openMs.toFixed(1)),
    jump_ms: Number(jumpMs.toFixed(1)),
    rows_rendered: rendered,
    filter_ms: Number(filterMs.toFixed(1)),
    page_request_ms: Number(asks[2]!.toFixed(1)),
    build_s: Number((buildMs / 1000).toFixed(1)),
    host_open_s: Number((hostOpenMs / 1000).toFixed(1)),
  };
}
