/**
 * The devtools panel in the todo app (mounted in development builds): the Log tab shows the
 * local author's lane and a head; "Why this value?" names the same winning op on both sides of
 * a concurrently edited title and lists the op it beat; a viewer's edit in the Docs tab is a
 * real signed change the rules refuse, shown as E_PERMISSION. Screenshots of the panel are
 * attached to the results.
 */
import { expect, test, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { addTodo, ids, openTodo, relayTodoSuite, titles } from './todo-page.ts';

const suite = relayTodoSuite();

/** A context whose pages sync through the relay only: `setOffline` then really cuts them off. */
async function relayOnlyContext(): Promise<BrowserContext> {
  const ctx = await suite.env.browser.newContext();
  await ctx.addInitScript(() => {
    delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
  });
  return ctx;
}

const relayQuery = () => `?relay=${encodeURIComponent(suite.relay.url)}`;

/** A opens the app, adds `first`, and invites B with `role`; B opens the link. */
async function pair(
  role: 'editor' | 'viewer',
): Promise<{ a: Page; b: Page; ctxA: BrowserContext; ctxB: BrowserContext }> {
  const ctxA = await relayOnlyContext();
  const a = await openTodo(ctxA, suite.env.server, relayQuery());
  await addTodo(a, 'first');
  await a.locator('.share').click();
  await a.locator('.invite-role').selectOption(role);
  await a.locator('.create-invite').click();
  const link = (await a.locator('.invite-link').textContent())!;
  const ctxB = await relayOnlyContext();
  const b = await openTodo(ctxB, suite.env.server, link.slice(link.indexOf('?')));
  await expect(titles(b)).toHaveText(['first'], { timeout: 20_000 });
  await expect(b).not.toHaveURL(/invite=/, { timeout: 20_000 }); // the invite is redeemed
  return { a, b, ctxA, ctxB };
}

async function openPanel(page: Page, tab: string): Promise<void> {
  const root = page.locator('[data-weft-devtools]');
  if ((await root.getAttribute('data-open')) !== 'true')
    await root.locator('button[data-weft-devtools-toggle]').click();
  await page.locator(`button[role=tab][data-tab="${tab}"]`).click();
}

async function snap(page: Page, info: TestInfo, name: string): Promise<void> {
  const path = info.outputPath(name);
  await page.screenshot({ path });
  await info.attach(name, { path, contentType: 'image/png' });
}

function author(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const c = (globalThis as { weftClient?: { ready: Promise<{ author: string }> } }).weftClient!;
    return (await c.ready).author;
  });
}

/** Sets a todo's title through the page's own client; resolves with the change hash. */
function setTitle(page: Page, id: string, title: string): Promise<string> {
  return page.evaluate(
    ([id, title]) => {
      type Tx = { update(c: string, id: string, f: Record<string, unknown>): void };
      const c = (globalThis as { weftClient?: { mutate(fn: (tx: Tx) => void): Promise<string> } }).weftClient!;
      return c.mutate((tx) => tx.update('todos', id, { title }));
    },
    [id, title] as const,
  );
}

test('the Log tab lists changes with the local author lane and a head marked', async () => {
  const info = test.info();
  const ctx = await suite.env.browser.newContext();
  const page = await openTodo(ctx, suite.env.server);
  await addTodo(page, 'one');
  await addTodo(page, 'two');
  const me = await author(page);
  await openPanel(page, 'log');
  await expect(page.locator(`[data-lane][data-author="${me}"]`)).toBeVisible();
  // Genesis, the list, two todos: all by this user, all applied, the newest a head.
  const rows = page.locator('[data-change-row]');
  await expect(rows).toHaveCount(4);
  for (const r of await rows.all()) {
    await expect(r).toHaveAttribute('data-author', me);
    await expect(r).toHaveAttribute('data-status', 'applied');
    await expect(r).toHaveAttribute('data-reason', '');
  }
  const newest = await rows.nth(3).getAttribute('data-hash');
  await expect(page.locator(`[data-head][data-hash="${newest}"]`).first()).toBeVisible();
  await expect(rows.nth(3).locator('[data-head]')).toHaveCount(1);
  await expect(rows.nth(0).locator('[data-head]')).toHaveCount(0);
  await snap(page, info, 'devtools-log.png');
  await ctx.close();
});

test('"Why this value?" names the same winner on both sides of a concurrent title edit', async () => {
  const info = test.info();
  const { a, b, ctxA, ctxB } = await pair('editor');
  const id = (await a.locator('.todo-list li').first().getAttribute('data-id'))!;
  // Both go offline, then edit the same title: neither change has seen the other.
  await ctxA.setOffline(true);
  await ctxB.setOffline(true);
  await expect(a.locator('.weft-sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  await expect(b.locator('.weft-sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  const ha = await setTitle(a, id, 'title by A');
  const hb = await setTitle(b, id, 'title by B');
  await ctxA.setOffline(false);
  await ctxB.setOffline(false);
  await expect(titles(a)).toHaveText([/title by [AB]/], { timeout: 30_000 });
  const winnerTitle = await expect
    .poll(
      async () => {
        const [ta, tb] = [await titles(a).first().textContent(), await titles(b).first().textContent()];
        return ta === tb ? ta : null;
      },
      { timeout: 30_000 },
    )
    .not.toBeNull()
    .then(() => titles(a).first().textContent());

  // A goes through Docs → the todo → "why?" on its title; B types the field into the Why tab.
  await openPanel(a, 'docs');
  await a.locator('[data-collection="todos"]').click();
  await a.locator(`[data-doc-row][data-id="${id}"]`).click();
  await a.locator('[data-why-field="title"]').click();
  await openPanel(b, 'why');
  await b.locator('[data-why-collection]').fill('todos');
  await b.locator('[data-why-id]').fill(id);
  await b.locator('[data-why-field-input]').fill('title');

  const winners: string[] = [];
  for (const page of [a, b]) {
    const winner = page.locator('[data-why-winner]');
    await expect(winner).toBeVisible({ timeout: 15_000 });
    await expect(winner.locator('[data-why-value]')).toHaveText(JSON.stringify(winnerTitle));
    const hash = (await winner.getAttribute('data-hash'))!;
    winners.push(hash);
    const loser = hash === ha ? hb : ha;
    await expect(page.locator(`[data-why-beaten][data-hash="${loser}"]`)).toBeVisible();
  }
  expect(winners[0]).toBe(winners[1]);
  expect([ha, hb]).toContain(winners[0]);
  await snap(a, info, 'devtools-why-a.png');
  await snap(b, info, 'devtools-why-b.png');
  await ctxA.close();
  await ctxB.close();
});

test('a viewer editing a todo in the Docs tab gets E_PERMISSION', async () => {
  const info = test.info();
  const { a, b, ctxA, ctxB } = await pair('viewer');
  const id = (await b.locator('.todo-list li').first().getAttribute('data-id'))!;
  const { db } = await ids(b);
  expect(db).toBe((await ids(a)).db);
  await openPanel(b, 'docs');
  await b.locator('[data-collection="todos"]').click();
  await b.locator(`[data-doc-row][data-id="${id}"]`).click();
  await b.locator('[data-doc-field="title"]').fill('viewer was here');
  await b.locator('[data-doc-save]').click();
  await expect(b.locator('[data-devtools-error]')).toHaveAttribute('data-code', 'E_PERMISSION', { timeout: 10_000 });
  await expect(titles(b)).toHaveText(['first']);
  await snap(b, info, 'devtools-docs-permission.png');
  await ctxA.close();
  await ctxB.close();
});
