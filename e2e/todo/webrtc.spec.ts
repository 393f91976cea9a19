/**
 * Users syncing peer to peer over WebRTC (signaled through a real relay), also without
 * SharedWorker (the leader tab's dedicated worker hosts the engine, so that tab owns the
 * connections), and falling back to the relay when a browser has no RTCPeerConnection.
 * `npm run test:e2e` runs inside a private network namespace with a veth pair
 * (scripts/netns-run.sh), so ICE has host candidates and no traffic leaves the namespace.
 */
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { addTodo, openTodo, relayTodoSuite, titles, todoState } from './todo-page.ts';

const suite = relayTodoSuite();

/** A opens the app with the relay and shares a list with an editor invite; B opens the link. */
async function pair(ctxB: BrowserContext, ctxA?: BrowserContext): Promise<{ a: Page; b: Page; ctxA: BrowserContext }> {
  ctxA ??= await suite.env.browser.newContext();
  const a = await openTodo(ctxA, suite.env.server, `?relay=${encodeURIComponent(suite.relay.url)}`);
  await addTodo(a, 'start');
  await a.locator('.share').click();
  await a.locator('.create-invite').click();
  const link = (await a.locator('.invite-link').textContent())!;
  const b = await openTodo(ctxB, suite.env.server, link.slice(link.indexOf('?')));
  await expect(titles(b)).toHaveText(['start'], { timeout: 20_000 });
  await expect(b).not.toHaveURL(/invite=/, { timeout: 20_000 });
  return { a, b, ctxA };
}

test('two users edit concurrently over WebRTC and converge', async () => {
  test.skip(process.env.WEFT_IN_NETNS !== '1', 'WebRTC needs the private network namespace (root on Linux)');
  const ctxB = await suite.env.browser.newContext();
  const { a, b, ctxA } = await pair(ctxB);
  await expect(a.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(b.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 30_000 });
  // Concurrent edits on both sides, including the same todo.
  await Promise.all([addTodo(a, 'from a'), addTodo(b, 'from b')]);
  await a.locator('.todo-list li').nth(0).locator('.toggle').check();
  await b.locator('.todo-list li').nth(0).locator('label').dblclick();
  await b.locator('.todo-list li .edit').fill('start (edited by b)');
  await b.locator('.todo-list li .edit').press('Enter');
  await expect.poll(async () => (await todoState(a)) === (await todoState(b)), { timeout: 20_000 }).toBe(true);
  expect(await todoState(a)).toContain('start (edited by b):true');
  expect(await todoState(a)).toContain('from a:false');
  expect(await todoState(a)).toContain('from b:false');
  await ctxA.close();
  await ctxB.close();
});

test('without RTCPeerConnection a user still syncs, over the relay', async () => {
  const ctxB = await suite.env.browser.newContext();
  await ctxB.addInitScript(() => {
    delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
  });
  const { a, b, ctxA } = await pair(ctxB);
  await addTodo(a, 'via relay');
  await expect(titles(b)).toHaveText(['start', 'via relay'], { timeout: 20_000 });
  await addTodo(b, 'back via relay');
  await expect(titles(a)).toHaveText(['start', 'via relay', 'back via relay'], { timeout: 20_000 });
  await expect(b.locator('.weft-peer[data-transport="relay"]').first()).toBeVisible();
  await expect(b.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(0);
  await ctxA.close();
  await ctxB.close();
});

test('when the tab that owns the WebRTC connections closes, another tab of the user takes over', async () => {
  test.skip(process.env.WEFT_IN_NETNS !== '1', 'WebRTC needs the private network namespace (root on Linux)');
  const ctxB = await suite.env.browser.newContext();
  const { a, b, ctxA } = await pair(ctxB);
  await expect(a.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 30_000 });
  // A second tab of A: the first still owns the network lock.
  const a2 = await openTodo(ctxA, suite.env.server, `?relay=${encodeURIComponent(suite.relay.url)}`);
  await expect(a2.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 10_000 });
  await a.close();
  // The data channel died with the tab; the second tab dials again.
  await expect(b.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 40_000 });
  await expect(a2.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 40_000 });
  await addTodo(b, 'after takeover');
  await expect(titles(a2)).toContainText(['after takeover'], { timeout: 20_000 });
  await ctxA.close();
  await ctxB.close();
});

test('without SharedWorker, the leader tab owns the WebRTC connections, and the next leader takes over', async () => {
  test.skip(process.env.WEFT_IN_NETNS !== '1', 'WebRTC needs the private network namespace (root on Linux)');
  const noSharedWorker = (): void => {
    delete (globalThis as { SharedWorker?: unknown }).SharedWorker;
  };
  const ctxA = await suite.env.browser.newContext();
  const ctxB = await suite.env.browser.newContext();
  await ctxA.addInitScript(noSharedWorker);
  await ctxB.addInitScript(noSharedWorker);
  const { a, b } = await pair(ctxB, ctxA);
  await expect(a.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(b.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 30_000 });
  // A second tab of A follows the first tab's leader worker; closing the first makes it lead.
  const a2 = await openTodo(ctxA, suite.env.server, `?relay=${encodeURIComponent(suite.relay.url)}`);
  await expect(titles(a2)).toHaveText(['start'], { timeout: 20_000 });
  await a.close();
  await expect(a2.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 40_000 });
  await expect(b.locator('.weft-peer[data-transport="webrtc"]')).toHaveCount(1, { timeout: 40_000 });
  await addTodo(b, 'over webrtc after failover');
  await expect(titles(a2)).toContainText(['over webrtc after failover'], { timeout: 20_000 });
  await ctxA.close();
  await ctxB.close();
});
