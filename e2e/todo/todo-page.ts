/** Shared setup for the todo app's e2e tests: one examples server per file, and page helpers. */
import { chromium, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { launchOptions } from '../support/chromium.ts';
import { startExamplesServer } from '../support/examples-server.ts';
import type { PageServer } from '../support/vite-server.ts';

/** The server and browser of one spec file. */
export interface TodoEnv {
  server: PageServer;
  browser: Browser;
}

export async function startTodoEnv(): Promise<TodoEnv> {
  const server = await startExamplesServer();
  const browser = await chromium.launch(launchOptions);
  return { server, browser };
}

export async function stopTodoEnv(env: TodoEnv | undefined): Promise<void> {
  await env?.browser.close();
  await env?.server.close();
}

/** The todo app's URL under `server`. */
export function todoUrl(server: PageServer, hash = ''): string {
  return `${server.url}todo/${hash}`;
}

/** Opens the app in `context` and waits until it is ready for input. */
export async function openTodo(context: BrowserContext, server: PageServer, hash = ''): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}\n${e.stack ?? ''}`));
  if (process.env.WEFT_E2E_CONSOLE === '1') page.on('console', (m) => console.log(`[console] ${m.type()} ${m.text()}`));
  await page.goto(todoUrl(server, hash));
  await expect(page.locator('.new-todo')).toBeVisible({ timeout: 30_000 });
  return page;
}

/** Types `title` into the new-todo field and presses Enter. */
export async function addTodo(page: Page, title: string): Promise<void> {
  await page.locator('.new-todo').fill(title);
  await page.locator('.new-todo').press('Enter');
}

/** The visible todo titles. */
export function titles(page: Page) {
  return page.locator('.todo-list li label');
}
