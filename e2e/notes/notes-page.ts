/** Shared setup for the notes app's e2e tests: servers per file, and page helpers. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { NOTES_SCHEMA, startRelayProcess, type RelayProcess } from '../support/relay-process.ts';
import { launchOptions } from '../support/chromium.ts';
import { startExamplesServer } from '../support/examples-server.ts';
import type { PageServer } from '../support/vite-server.ts';

/** What a notes spec file shares: the app server, a browser and a relay enforcing the notes schema. */
export interface NotesSuite {
  readonly server: PageServer;
  readonly browser: Browser;
  readonly relay: RelayProcess;
}

/** Registers the file's `beforeAll`/`afterAll`. */
export function notesSuite(): NotesSuite {
  const s: { server?: PageServer; browser?: Browser; relay?: RelayProcess; dataDir: string } = { dataDir: '' };
  test.beforeAll(async () => {
    s.server = await startExamplesServer();
    s.browser = await chromium.launch(launchOptions);
    s.dataDir = await mkdtemp(join(tmpdir(), 'weft-relay-notes-'));
    s.relay = await startRelayProcess(s.dataDir, 0, ['--schema', NOTES_SCHEMA]);
  });
  test.afterAll(async () => {
    await s.relay?.stop();
    if (s.dataDir !== '') await rm(s.dataDir, { recursive: true, force: true });
    await s.browser?.close();
    await s.server?.close();
  });
  return {
    get server() {
      return s.server!;
    },
    get browser() {
      return s.browser!;
    },
    get relay() {
      return s.relay!;
    },
  };
}

/** Opens the notes app in `context` with `search` (`?relay=…` or an invite link's query and hash). */
export async function openNotes(context: BrowserContext, suite: NotesSuite, search = ''): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}\n${e.stack ?? ''}`));
  if (process.env.WEFT_E2E_CONSOLE === '1') page.on('console', (m) => console.log(`[console] ${m.type()} ${m.text()}`));
  const q = search === '' ? `?relay=${encodeURIComponent(suite.relay.url)}` : search;
  await page.goto(`${suite.server.url}notes/${q}`);
  await expect(page.locator('.notes-app')).toBeVisible({ timeout: 30_000 });
  return page;
}

/** Creates a notebook and a note in it, and opens the note. */
export async function newNotebookWithNote(page: Page, title: string): Promise<{ notebook: string; note: string }> {
  await page.locator('.new-notebook').fill(title);
  await page.locator('.new-notebook').press('Enter');
  await expect(page.locator('.notes-app')).not.toHaveAttribute('data-notebook', '', { timeout: 10_000 });
  await page.locator('.new-note').click();
  await expect(editor(page)).toBeVisible({ timeout: 10_000 });
  const notebook = (await page.locator('.notes-app').getAttribute('data-notebook'))!;
  const note = (await page.locator('main.note').getAttribute('data-note-id'))!;
  return { notebook, note };
}

/** The note body's editable content. */
export function editor(page: Page) {
  return page.locator('.note-body .cm-content');
}

/** Creates an invite link granting `role` (the share panel of the open notebook). */
export async function inviteLink(page: Page, role: 'owner' | 'editor' | 'viewer'): Promise<string> {
  await page.locator('.invite-role').selectOption(role);
  await page.locator('.create-invite').click();
  const link = (await page.locator('.invite-link').textContent())!;
  return link.slice(link.indexOf('?'));
}

/** Opens an invite link in `context` and waits until the role is claimed and the note is open. */
export async function joinByInvite(
  context: BrowserContext,
  suite: NotesSuite,
  link: string,
  note: string,
  role: string,
): Promise<Page> {
  const page = await openNotes(context, suite, `${link.replace(/#.*$/, '')}${link.slice(link.indexOf('#'))}/${note}`);
  await expect(page.locator('[data-my-role]')).toHaveAttribute('data-my-role', role, { timeout: 30_000 });
  await expect(editor(page)).toBeVisible({ timeout: 20_000 });
  return page;
}

/** The note's body as stored in the page's replica (not the editor's view). */
export function storedBody(page: Page, note: string): Promise<string> {
  return page.evaluate(async (id) => {
    const c = (globalThis as { __weft?: { client: { query(q: unknown): Promise<{ body?: string }[]> } } }).__weft!
      .client;
    const rows = await c.query({
      collection: 'notes',
      where: { kind: 'cmp', op: '==', field: 'id', value: id },
      orderBy: [],
      limit: null,
      offset: 0,
      after: null,
      include: [],
    });
    return rows[0]?.body ?? '';
  }, note);
}

/** The relay's view of a database (GET /v1/db/:id). */
export async function relayDb(suite: NotesSuite, db: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${suite.relay.url}/v1/db/${db}`)).json()) as Record<string, unknown>;
}

/** The page's database id. */
export function dbOf(page: Page): Promise<string> {
  return page.evaluate(
    async () => (await (globalThis as { weftClient?: { ready: Promise<{ db: string }> } }).weftClient!.ready).db,
  );
}

/** A change's status on the page's replica, from the inspect API (`undefined` until it arrives). */
export function statusOn(page: Page, hash: string): Promise<{ status: string; reason: string | null } | undefined> {
  return page.evaluate(async (h) => {
    type Row = { hash: string; status: string; reason: string | null };
    const c = (globalThis as { __weft?: { client: { inspect(r: unknown): Promise<{ rows: Row[] }> } } }).__weft!.client;
    const { rows } = await c.inspect({ v: 1, kind: 'log', offset: 0, limit: 5_000 });
    const row = rows.find((r) => r.hash === h);
    return row === undefined ? undefined : { status: row.status, reason: row.reason };
  }, hash);
}

/** Runs `client.mutate` in the page with a text insert into `note`; resolves with the error code, or `ok`. */
export function tryTextMutation(page: Page, note: string, text: string): Promise<string> {
  return page.evaluate(
    async ({ id, t }) => {
      type Tx = { text(c: string, id: string, f: string): { insert(i: number, s: string): void } };
      const c = (globalThis as { __weft?: { client: { mutate(fn: (tx: Tx) => void): Promise<string> } } }).__weft!
        .client;
      try {
        await c.mutate((tx) => tx.text('notes', id, 'body').insert(0, t));
        return 'ok';
      } catch (e) {
        return (e as { code?: string }).code ?? String(e);
      }
    },
    { id: note, t: text },
  );
}

/** The page user's exported key (what a modified client would sign with). */
export function exportedKey(page: Page): Promise<string> {
  return page.evaluate(() =>
    (globalThis as { __weft?: { client: { exportIdentity(): Promise<string> } } }).__weft!.client.exportIdentity(),
  );
}

/** The page user's author id. */
export function authorOf(page: Page): Promise<string> {
  return page.evaluate(
    async () =>
      (await (globalThis as { weftClient?: { ready: Promise<{ author: string }> } }).weftClient!.ready).author,
  );
}

/** Hashes of `author`'s changes the page's replica holds as not applied (rejected, rolled back). */
export function invalidOf(page: Page, author: string): Promise<string[]> {
  return page.evaluate(async (who) => {
    type Row = { hash: string; author: string; status: string };
    const c = (globalThis as { __weft?: { client: { inspect(r: unknown): Promise<{ rows: Row[] }> } } }).__weft!.client;
    const { rows } = await c.inspect({ v: 1, kind: 'log', offset: 0, limit: 5_000 });
    return rows.filter((r) => r.author === who && r.status !== 'applied').map((r) => r.hash);
  }, author);
}
