/**
 * Several tabs of one user: live updates through the SharedWorker, and the fallback where
 * SharedWorker is missing (a dedicated worker per tab, Web Locks leader, failover).
 */
import { expect, test, type Page } from '@playwright/test';
import { addTodo, openTodo, startTodoEnv, stopTodoEnv, titles, type TodoEnv } from './todo-page.ts';

let env: TodoEnv | undefined;

test.beforeAll(async () => {
  env = await startTodoEnv();
});
test.afterAll(async () => {
  await stopTodoEnv(env);
});

/** Adds `title` in `from` and returns how long until `to` shows it (ms, both pages' clocks are the browser's). */
async function propagation(from: Page, to: Page, title: string): Promise<number> {
  await to.evaluate((t) => {
    (globalThis as { seen?: Promise<number> }).seen = new Promise<number>((resolve) => {
      const has = () => [...document.querySelectorAll('.todo-list li label')].some((l) => l.textContent === t);
      const mo = new MutationObserver(() => {
        if (!has()) return;
        mo.disconnect();
        resolve(performance.timeOrigin + performance.now());
      });
      mo.observe(document.body, { subtree: true, childList: true, characterData: true });
    });
  }, title);
  await from.locator('.new-todo').fill(title);
  const t0 = await from.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('.new-todo')!;
    const t = performance.timeOrigin + performance.now();
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    return t;
  });
  const t1 = await to.evaluate(() => (globalThis as { seen?: Promise<number> }).seen!);
  return t1 - t0;
}

test('an edit in one tab shows in the other through the SharedWorker within 100 ms', async () => {
  const context = await env!.browser.newContext();
  const a = await openTodo(context, env!.server);
  const b = await openTodo(context, env!.server);
  expect(
    await a.evaluate(() => (globalThis as { weftClient?: { link: { kind: string } } }).weftClient!.link.kind),
  ).toBe('shared');
  const times: number[] = [];
  for (let i = 0; i < 7; i++) times.push(await propagation(i % 2 === 0 ? a : b, i % 2 === 0 ? b : a, `edit ${i}`));
  times.sort((x, y) => x - y);
  console.log(`[tabs] propagation ms: ${times.map((t) => t.toFixed(1)).join(', ')}`);
  expect(times[3]!).toBeLessThanOrEqual(100);
  await expect(titles(a)).toHaveCount(7);
  await expect(titles(b)).toHaveCount(7);
  // Toggling propagates too.
  await a.locator('.todo-list li').nth(0).locator('.toggle').check();
  await expect(b.locator('.todo-list li').nth(0)).toHaveClass(/completed/);
  await context.close();
});

test('without SharedWorker, tabs share one leader; when the leader tab closes another takes over within 2 s', async () => {
  const context = await env!.browser.newContext();
  await context.addInitScript(() => {
    delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
  });
  const a = await openTodo(context, env!.server);
  const b = await openTodo(context, env!.server);
  expect(
    await b.evaluate(() => (globalThis as { weftClient?: { link: { kind: string } } }).weftClient!.link.kind),
  ).toBe('dedicated');
  await addTodo(a, 'from leader');
  await expect(titles(b)).toHaveText(['from leader']);
  await addTodo(b, 'from follower');
  await expect(titles(a)).toHaveText(['from leader', 'from follower']);

  // Close the leader while the follower is writing: acknowledged writes survive, none doubles.
  const acked = b.evaluate(async () => {
    type Tx = { insert(c: string, f: Record<string, unknown>): string };
    const c = (globalThis as { weftClient?: { mutate(fn: (tx: Tx) => void): Promise<string> } }).weftClient!;
    const list = document.querySelector<HTMLElement>('.todoapp')!.dataset.listId!;
    const writes = Array.from({ length: 5 }, (_, i) =>
      c.mutate((tx) => void tx.insert('todos', { list, title: `race ${i}`, done: false, order: Date.now() + i })),
    );
    return (await Promise.all(writes)).length;
  });
  await a.close();
  // The optimistic overlay would show a write at once, so time the acknowledgement instead.
  const ackMs = await b.evaluate(async () => {
    type Tx = { insert(c: string, f: Record<string, unknown>): string };
    const c = (globalThis as { weftClient?: { mutate(fn: (tx: Tx) => void): Promise<string> } }).weftClient!;
    const list = document.querySelector<HTMLElement>('.todoapp')!.dataset.listId!;
    const t0 = performance.now();
    await c.mutate((tx) => void tx.insert('todos', { list, title: 'after failover', done: false, order: Date.now() }));
    return performance.now() - t0;
  });
  console.log(`[tabs] first write after the leader closed acknowledged in ${ackMs.toFixed(0)} ms`);
  expect(ackMs).toBeLessThan(2_000);
  expect(await acked).toBe(5);

  // A fresh tab sees exactly one of each write.
  const c = await openTodo(context, env!.server);
  await expect(titles(c).filter({ hasText: 'after failover' })).toHaveCount(1);
  const all = await titles(c).allTextContents();
  expect(all.filter((t) => t === 'from leader')).toHaveLength(1);
  expect(all.filter((t) => t === 'from follower')).toHaveLength(1);
  for (let i = 0; i < 5; i++) expect(all.filter((t) => t === `race ${i}`)).toHaveLength(1);
  await context.close();
});
