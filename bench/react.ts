/**
 * `npm run bench -- react [--items N] [--toggles N]`: the todo example in headless Chromium, two
 * tabs on one SharedWorker, a list of 10,000 todos. Tab A toggles 200 of them one by one; for
 * each, the time from the click in A to the row's DOM update in B, and the React commits and
 * row renders B made for it.
 *
 * Targets (issue 6): p50 <= 16 ms (one frame), and only the toggled row re-renders.
 */
import { chromium, type Page } from 'playwright';
import { launchOptions } from '../e2e/support/chromium.ts';
import { startExamplesPreview } from '../e2e/support/examples-server.ts';
import { printTable } from './report.ts';

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

async function openApp(page: Page, url: string, items: number): Promise<void> {
  await page.goto(url);
  await page.locator('.new-todo').waitFor({ timeout: 60_000 });
  if (items > 0)
    await page
      .locator('.todo-list li')
      .nth(items - 1)
      .waitFor({ timeout: 120_000 });
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const items = arg(args, 'items', 10_000);
  const toggles = arg(args, 'toggles', 200);
  const server = await startExamplesPreview();
  const browser = await chromium.launch(launchOptions);
  try {
    const context = await browser.newContext();
    const a = await context.newPage();
    await openApp(a, `${server.url}todo/`, 0);
    // Seed the list through the app's own client, in chunks of one change each.
    await a.evaluate(async (n) => {
      type Tx = { insert(c: string, f: Record<string, unknown>): string };
      const c = (globalThis as { weftClient?: { mutate(fn: (tx: Tx) => void): Promise<string> } }).weftClient!;
      const list = document.querySelector<HTMLElement>('.todoapp')!.dataset.listId!;
      for (let i = 0; i < n; i += 1000)
        await c.mutate((tx) => {
          for (let j = i; j < Math.min(n, i + 1000); j++)
            tx.insert('todos', { list, title: `todo ${j}`, done: false, order: j });
        });
    }, items);
    await a
      .locator('.todo-list li')
      .nth(items - 1)
      .waitFor({ timeout: 120_000 });
    const b = await context.newPage();
    await openApp(b, `${server.url}todo/`, items);
    await b.evaluate(() => {
      (globalThis as { weftRenderStats?: unknown }).weftRenderStats = { commits: 0, rows: 0 };
    });
    const ids = await a.$$eval('.todo-list li', (lis) => lis.map((li) => (li as HTMLElement).dataset.id!));
    const step = Math.max(1, Math.floor(ids.length / toggles));
    const latencies: number[] = [];
    const commits: number[] = [];
    const rows: number[] = [];
    for (let k = 0; k < toggles; k++) {
      const id = ids[(k * step) % ids.length]!;
      await b.evaluate((id) => {
        const g = globalThis as { seen?: Promise<number>; weftRenderStats?: { commits: number; rows: number } };
        g.weftRenderStats!.commits = 0;
        g.weftRenderStats!.rows = 0;
        const li = document.querySelector(`.todo-list li[data-id="${id}"]`)!;
        const before = li.className;
        g.seen = new Promise<number>((resolve) => {
          const mo = new MutationObserver(() => {
            if (li.className === before) return;
            mo.disconnect();
            resolve(performance.timeOrigin + performance.now());
          });
          mo.observe(li, { attributes: true, attributeFilter: ['class'] });
        });
      }, id);
      const t0 = await a.evaluate((id) => {
        const input = document.querySelector<HTMLInputElement>(`.todo-list li[data-id="${id}"] .toggle`)!;
        const t = performance.timeOrigin + performance.now();
        input.click();
        return t;
      }, id);
      const t1 = await b.evaluate(() => (globalThis as { seen?: Promise<number> }).seen!);
      latencies.push(t1 - t0);
      // Let B settle (any trailing commit would show up here), then read its counters.
      await b.evaluate(() => new Promise((r) => setTimeout(r, 30)));
      const s = await b.evaluate(
        () => (globalThis as { weftRenderStats?: { commits: number; rows: number } }).weftRenderStats!,
      );
      commits.push(s.commits);
      rows.push(s.rows);
    }
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const figures = {
      bench: 'react',
      items,
      toggles,
      p50_ms: Number(percentile(latencies, 50).toFixed(2)),
      p99_ms: Number(percentile(latencies, 99).toFixed(2)),
      renders_per_toggle: Number(mean(commits).toFixed(3)),
      rows_rendered_per_toggle: Number(mean(rows).toFixed(3)),
    };
    printTable('react: click in tab A to DOM update in tab B (SharedWorker, IndexedDB)', figures);
    return figures;
  } finally {
    await browser.close();
    await server.close();
  }
}
