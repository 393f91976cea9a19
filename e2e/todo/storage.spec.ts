/** The todo app's storage: a browser restart keeps the data; a full quota fails a write cleanly. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { launchOptions } from '../support/chromium.ts';
import {
  addTodo,
  openTodo,
  startTodoEnv,
  stopTodoEnv,
  storedTodos,
  titles,
  todoUrl,
  type TodoEnv,
} from './todo-page.ts';

let env: TodoEnv | undefined;

test.beforeAll(async () => {
  env = await startTodoEnv();
});
test.afterAll(async () => {
  await stopTodoEnv(env);
});

test('a browser restart (persistent profile) keeps every todo and its state', async () => {
  const profile = await mkdtemp(join(tmpdir(), 'weft-todo-profile-'));
  try {
    let context = await chromium.launchPersistentContext(profile, launchOptions);
    let page = await openTodo(context, env!.server);
    for (const t of ['one', 'two', 'three']) await addTodo(page, t);
    await page.locator('.todo-list li').nth(1).locator('.toggle').check();
    // Wait for the host to acknowledge (the optimistic view shows writes before that).
    await expect.poll(async () => (await storedTodos(page)).filter((t) => t.done).length).toBe(1);
    await context.close();

    context = await chromium.launchPersistentContext(profile, launchOptions);
    page = await openTodo(context, env!.server);
    await expect(titles(page)).toHaveText(['one', 'two', 'three']);
    await expect(page.locator('.todo-list li').nth(1)).toHaveClass(/completed/);
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test('a full quota fails the write with a visible E_QUOTA and leaves no partial state', async () => {
  // Chromium fixes an origin's IndexedDB quota when its storage is first opened in a browser
  // session, so shrink it in a fresh session of a persistent profile, before the app loads.
  const profile = await mkdtemp(join(tmpdir(), 'weft-todo-quota-'));
  const origin = new URL(todoUrl(env!.server)).origin;
  try {
    let context = await chromium.launchPersistentContext(profile, launchOptions);
    let page = await openTodo(context, env!.server);
    await addTodo(page, 'before');
    await expect(titles(page)).toHaveText(['before']);
    await expect.poll(async () => (await storedTodos(page)).length).toBe(1);
    await context.close();

    context = await chromium.launchPersistentContext(profile, launchOptions);
    const blank = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(blank);
    // Far below what the origin already uses (0 would mean "no override").
    // (The override lasts while its CDP session does: keep `blank` open.)
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 1 });
    page = await openTodo(context, env!.server);
    await expect(titles(page)).toHaveText(['before']);
    await addTodo(page, 'too much');
    await expect(page.locator('.weft-error')).toHaveAttribute('data-code', 'E_QUOTA', { timeout: 15_000 });
    await expect(page.locator('.weft-error')).toContainText('E_QUOTA');
    // The refused write is gone from the view (the optimistic overlay rolled back) ...
    await expect(titles(page)).toHaveText(['before']);
    // ... and the app still answers.
    await page.locator('.todo-list li').nth(0).locator('label').dblclick();
    await page.locator('.todo-list li .edit').press('Escape');
    await context.close();

    // Nothing of the refused write was stored; with room again, writes work.
    context = await chromium.launchPersistentContext(profile, launchOptions);
    page = await openTodo(context, env!.server);
    await expect(titles(page)).toHaveText(['before']);
    await addTodo(page, 'after');
    await expect(titles(page)).toHaveText(['before', 'after']);
    await context.close();
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});
