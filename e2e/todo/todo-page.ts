/** Shared setup for the todo app's e2e tests: one examples server per file, and page helpers. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { TODO_SCHEMA, startRelayProcess, type RelayProcess } from '../support/relay-process.ts';
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

/** Every stored todo, read through the page's own client (acknowledged state, not the view). */
export function storedTodos(page: Page): Promise<{ id: string; title: string; done: boolean }[]> {
  return page.evaluate(() =>
    (
      globalThis as { weftClient?: { query(q: unknown): Promise<{ id: string; title: string; done: boolean }[]> } }
    ).weftClient!.query({
      collection: 'todos',
      where: null,
      orderBy: [],
      limit: null,
      offset: 0,
      after: null,
      include: [],
    }),
  );
}

/** The todos as one comparable string: `title:done`, sorted. */
export async function todoState(page: Page): Promise<string> {
  return (await storedTodos(page))
    .map((r) => `${r.title}:${r.done}`)
    .sort()
    .join('|');
}

/** A relay process enforcing the todo schema, with a fresh data directory, for `beforeAll`. */
export async function startRelayEnv(): Promise<{ relay: RelayProcess; dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'weft-relay-e2e-'));
  return { relay: await startRelayProcess(dataDir, 0, ['--schema', TODO_SCHEMA]), dataDir };
}

/** Stops a relay from {@link startRelayEnv} and removes its data. */
export async function stopRelayEnv(relay: RelayProcess | undefined, dataDir: string): Promise<void> {
  await relay?.stop();
  if (dataDir !== '') await rm(dataDir, { recursive: true, force: true });
}

/** What a spec file that syncs through a relay shares: the app server and a relay process. */
export interface RelayTodoSuite {
  readonly env: TodoEnv;
  /** Reassignable: a spec may restart the relay. */
  relay: RelayProcess;
  readonly dataDir: string;
}

/** Registers the file's `beforeAll`/`afterAll` for an app server and a schema-enforcing relay. */
export function relayTodoSuite(): RelayTodoSuite {
  const s: { env?: TodoEnv; relay?: RelayProcess; dataDir: string } = { dataDir: '' };
  test.beforeAll(async () => {
    s.env = await startTodoEnv();
    ({ relay: s.relay, dataDir: s.dataDir } = await startRelayEnv());
  });
  test.afterAll(async () => {
    await stopRelayEnv(s.relay, s.dataDir);
    await stopTodoEnv(s.env);
  });
  return {
    get env() {
      return s.env!;
    },
    get relay() {
      return s.relay!;
    },
    set relay(r: RelayProcess) {
      s.relay = r;
    },
    get dataDir() {
      return s.dataDir;
    },
  };
}

/** The page's database id and the id of the list it shows. */
export function ids(page: Page): Promise<{ db: string; list: string }> {
  return page.evaluate(async () => {
    const c = (globalThis as { weftClient?: { ready: Promise<{ db: string }> } }).weftClient!;
    return { db: (await c.ready).db, list: document.querySelector<HTMLElement>('.todoapp')!.dataset.listId! };
  });
}
