/**
 * Users syncing through a real relay process: a second user joins by invite and receives the
 * list live; once both are gone, a third user receives everything from the relay's persistent
 * peer; a relay killed and restarted mid-session loses nothing and sync resumes.
 */
import { expect, test } from '@playwright/test';
import { TODO_SCHEMA, startRelayProcess } from '../support/relay-process.ts';
import { addTodo, ids, openTodo, relayTodoSuite, titles, todoState } from './todo-page.ts';

const suite = relayTodoSuite();

/** How many changes of `db` the relay stores. */
async function relayChanges(db: string): Promise<number> {
  const res = await fetch(`${suite.relay.url}/v1/db/${db}`);
  return ((await res.json()) as { changes: number }).changes;
}

test('an invited user gets the list through the relay; a later user gets it from the relay alone', async () => {
  const ctxA = await suite.env.browser.newContext();
  const a = await openTodo(ctxA, suite.env.server, `?relay=${encodeURIComponent(suite.relay.url)}`);
  await addTodo(a, 'shared one');
  await addTodo(a, 'shared two');
  await expect(a.locator('.weft-sync')).toHaveAttribute('data-state', 'online', { timeout: 15_000 });
  await expect(a.locator('.weft-peer[data-transport="relay"]').first()).toBeVisible();
  const { db, list } = await ids(a);
  // A shares the list with an editor invite link.
  await a.locator('.share').click();
  await a.locator('.invite-role').selectOption('editor');
  await a.locator('.create-invite').click();
  const link = await a.locator('.invite-link').textContent();
  expect(link).toContain(`db=${db}`);

  const ctxB = await suite.env.browser.newContext();
  const b = await openTodo(ctxB, suite.env.server, link!.slice(link!.indexOf('?')));
  await expect(titles(b)).toHaveText(['shared one', 'shared two'], { timeout: 15_000 });
  // Live both ways: A's new todo shows in B, and B (now an editor) can add one A accepts.
  await addTodo(a, 'shared three');
  await expect(titles(b)).toHaveText(['shared one', 'shared two', 'shared three'], { timeout: 15_000 });
  await expect(b).not.toHaveURL(/invite=/, { timeout: 15_000 }); // redeemed
  await addTodo(b, 'from b');
  await expect(titles(a)).toHaveText(['shared one', 'shared two', 'shared three', 'from b'], { timeout: 15_000 });
  await expect(a.locator('.weft-error')).toHaveCount(0);
  // Genesis, the list, three todos, the invite's membership, B's membership and B's todo.
  await expect.poll(() => relayChanges(db), { timeout: 15_000 }).toBe(8);
  const invite = `?db=${db}&list=${list}&relay=${encodeURIComponent(suite.relay.url)}`;
  await ctxA.close();
  await ctxB.close();

  const ctxC = await suite.env.browser.newContext();
  const c = await openTodo(ctxC, suite.env.server, invite);
  await expect(titles(c)).toHaveText(['shared one', 'shared two', 'shared three', 'from b'], { timeout: 15_000 });
  await ctxC.close();
});

test('a relay killed and restarted mid-session loses nothing it stored, and sync resumes', async () => {
  const ctxA = await suite.env.browser.newContext();
  const a = await openTodo(ctxA, suite.env.server, `?relay=${encodeURIComponent(suite.relay.url)}`);
  await addTodo(a, 'before crash');
  await expect(a.locator('.weft-sync')).toHaveAttribute('data-state', 'online', { timeout: 15_000 });
  const { db, list } = await ids(a);
  await expect.poll(() => relayChanges(db), { timeout: 15_000 }).toBe(3);
  const port = suite.relay.port;
  await suite.relay.stop('SIGKILL');
  await addTodo(a, 'while down');
  await expect(a.locator('.weft-sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  suite.relay = await startRelayProcess(suite.dataDir, port, ['--schema', TODO_SCHEMA]);
  // A reconnects by itself (jittered backoff) and delivers what it wrote while the relay was down.
  await expect(a.locator('.weft-sync')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await expect.poll(() => relayChanges(db), { timeout: 30_000 }).toBe(4);
  await ctxA.close();
  const ctxB = await suite.env.browser.newContext();
  const b = await openTodo(
    ctxB,
    suite.env.server,
    `?db=${db}&list=${list}&relay=${encodeURIComponent(suite.relay.url)}`,
  );
  await expect(titles(b)).toHaveText(['before crash', 'while down'], { timeout: 15_000 });
  await ctxB.close();
});

test('a user offline for 2,000 changes comes back and everyone converges', async () => {
  test.setTimeout(240_000);
  const relayQ = `relay=${encodeURIComponent(suite.relay.url)}`;
  const ctxA = await suite.env.browser.newContext();
  const a = await openTodo(ctxA, suite.env.server, `?${relayQ}`);
  await addTodo(a, 'first');
  await a.locator('.share').click();
  await a.locator('.create-invite').click();
  const link = (await a.locator('.invite-link').textContent())!;
  const ctxB = await suite.env.browser.newContext();
  const b = await openTodo(ctxB, suite.env.server, link.slice(link.indexOf('?')));
  await expect(titles(b)).toHaveText(['first'], { timeout: 15_000 });
  await expect(b).not.toHaveURL(/invite=/, { timeout: 15_000 });
  const { db } = await ids(a);

  await ctxB.setOffline(true);
  await expect(b.locator('.weft-sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  const before = await relayChanges(db);
  await b.evaluate(async () => {
    type Tx = { insert(c: string, f: Record<string, unknown>): string };
    const c = (globalThis as { weftClient?: { mutate(fn: (tx: Tx) => void): Promise<string> } }).weftClient!;
    const list = document.querySelector<HTMLElement>('.todoapp')!.dataset.listId!;
    for (let i = 0; i < 2000; i++)
      await c.mutate((tx) => void tx.insert('todos', { list, title: `offline ${i}`, done: false, order: 1e12 + i }));
  });
  expect(await relayChanges(db)).toBe(before); // nothing left B while offline
  await ctxB.setOffline(false);
  await expect(b.locator('.weft-sync')).toHaveAttribute('data-state', 'online', { timeout: 30_000 });
  await expect.poll(() => relayChanges(db), { timeout: 120_000, intervals: [1000] }).toBe(before + 2000);
  await expect(titles(a)).toHaveCount(2001, { timeout: 120_000 });
  expect(await todoState(a)).toBe(await todoState(b));
  await ctxA.close();
  await ctxB.close();
});
