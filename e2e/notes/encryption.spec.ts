/**
 * End-to-end encryption (issue 9): an owner creates an encrypted notes database and types a
 * unique marker; an invited editor reads it. The relay (SQLite, and PostgreSQL when installed)
 * stores every change, yet no byte of its storage holds the marker. After the owner revokes the
 * editor (which rotates the key), a new note's marker never reaches the editor's replica.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { NOTES_SCHEMA, startRelayProcess, type RelayProcess } from '../support/relay-process.ts';
import { launchOptions } from '../support/chromium.ts';
import { startExamplesServer } from '../support/examples-server.ts';
import type { PageServer } from '../support/vite-server.ts';
import {
  findPostgresBin,
  postgresSkipReason,
  startTestPostgres,
  type TestPostgres,
} from '../../packages/relay/src/storage/postgres-test-server.test-support.ts';
import { authorOf, dbOf, editor, inviteLink, newNotebookWithNote, storedBody } from './notes-page.ts';

const s: { server?: PageServer; browser?: Browser; pg?: TestPostgres; dirs: string[] } = { dirs: [] };
test.beforeAll(async () => {
  s.server = await startExamplesServer();
  s.browser = await chromium.launch(launchOptions);
});
test.afterAll(async () => {
  await s.browser?.close();
  await s.server?.close();
  await s.pg?.stop();
  for (const d of s.dirs) await rm(d, { recursive: true, force: true });
});

async function relay(extra: readonly string[]): Promise<{ relay: RelayProcess; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'weft-relay-enc-'));
  s.dirs.push(dir);
  return { relay: await startRelayProcess(dir, 0, ['--schema', NOTES_SCHEMA, ...extra]), dir };
}

async function open(page: Page, search: string): Promise<void> {
  await page.goto(`${s.server!.url}notes/${search}`);
  await expect(page.locator('.notes-app')).toBeVisible({ timeout: 30_000 });
}

/** Number of changes the page's replica holds (inspect log). */
function changeCount(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const c = (globalThis as { __weft?: { client: { inspect(r: unknown): Promise<{ rows: unknown[] }> } } }).__weft!
      .client;
    return (await c.inspect({ v: 1, kind: 'log', offset: 0, limit: 5_000 })).rows.length;
  });
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

/**
 * The whole scenario against one relay; `dump` returns the relay storage's bytes as text. Returns
 * nothing: every check is an expectation.
 */
async function scenario(r: RelayProcess, dump: () => Promise<string>): Promise<void> {
  const marker = `MARKER-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const relayQ = `relay=${encodeURIComponent(r.url)}`;
  const ctxA = await s.browser!.newContext();
  const a = await ctxA.newPage();
  await open(a, `?${relayQ}&encrypted=1`);
  const { note } = await newNotebookWithNote(a, 'Secret plans');
  await editor(a).click();
  await a.keyboard.type(marker);
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe(marker);
  const link = await inviteLink(a, 'editor');

  const ctxB = await s.browser!.newContext();
  const b = await ctxB.newPage();
  const hash = link.slice(link.indexOf('#'));
  await open(b, `${link.replace(/#.*$/, '')}${hash}/${note}`);
  await expect(b.locator('[data-my-role]')).toHaveAttribute('data-my-role', 'editor', { timeout: 30_000 });
  await expect.poll(() => storedBody(b, note), { timeout: 20_000 }).toBe(marker);
  await expect(editor(b)).toHaveText(marker, { timeout: 10_000 });

  // Everything A has is on the relay (GET /v1/db/:id counts stored changes).
  const db = await dbOf(a);
  const count = await changeCount(a);
  await expect
    .poll(async () => ((await (await fetch(`${r.url}/v1/db/${db}`)).json()) as { changes: number }).changes, {
      timeout: 20_000,
    })
    .toBeGreaterThanOrEqual(count);
  let text = await dump();
  // The control: the dump does hold this database's changes (the owner's key is in each one,
  // raw in SQLite's pages, as hex in a bytea column of a plain pg_dump)...
  const owner = await authorOf(a);
  expect(text.includes(owner) || text.includes(Buffer.from(owner, 'hex').toString('latin1'))).toBe(true);
  // ...and not the marker, as text or as hex (a bytea column in a plain dump).
  expect(text.includes(marker)).toBe(false);
  expect(text.includes(hex(marker))).toBe(false);

  // Revoke B (the app rotates the key), then write a new note: B's replica never reads it.
  const bId = await authorOf(b);
  await a.locator(`.member[data-user="${bId}"] .revoke`).click();
  await expect(a.locator(`.member[data-user="${bId}"]`)).toHaveCount(0);
  await expect(b.locator('[data-my-role]')).toHaveAttribute('data-my-role', 'none', { timeout: 30_000 });
  const after = `${marker}-AFTER`;
  await a.locator('.new-note').click();
  await expect(editor(a)).toBeVisible({ timeout: 10_000 });
  const note2 = (await a.locator('main.note').getAttribute('data-note-id'))!;
  expect(note2).not.toBe(note);
  await editor(a).click();
  await a.keyboard.type(after);
  await expect.poll(() => storedBody(a, note2), { timeout: 10_000 }).toBe(after);
  // B syncs every change A made, and still cannot read the new note.
  const total = await changeCount(a);
  await expect.poll(() => changeCount(b), { timeout: 30_000 }).toBeGreaterThanOrEqual(total);
  expect(await storedBody(b, note2)).toBe('');
  expect(await storedBody(b, note)).toBe(marker);
  text = await dump();
  expect(text.includes(after) || text.includes(hex(after))).toBe(false);
  await ctxA.close();
  await ctxB.close();
}

test('with encryption on, the SQLite relay stores no plaintext; members read; a revoked member cannot', async () => {
  const { relay: r, dir } = await relay([]);
  try {
    await scenario(r, async () => {
      // Every file of the relay's data directory (database, WAL, shared memory), read raw.
      const files = await readdir(dir, { recursive: true });
      const parts: string[] = [];
      for (const f of files) {
        const buf = await readFile(join(dir, f)).catch(() => undefined);
        if (buf !== undefined) parts.push(buf.toString('latin1'), buf.toString('hex'));
      }
      expect(files.some((f) => f.endsWith('-wal') || f.endsWith('.sqlite') || f.endsWith('.db'))).toBe(true);
      return parts.join('\n');
    });
  } finally {
    await r.stop();
  }
});

test('with encryption on, the PostgreSQL relay stores no plaintext (pg_dump)', async () => {
  test.skip(postgresSkipReason() !== undefined, 'PostgreSQL is not installed');
  s.pg ??= await startTestPostgres();
  const url = await s.pg.createDatabase();
  const { relay: r } = await relay(['--postgres', url]);
  const pgDump = join(findPostgresBin()!, 'pg_dump');
  try {
    await scenario(r, async () => {
      expect(existsSync(pgDump)).toBe(true);
      return execFileSync(pgDump, ['--data-only', url], { encoding: 'latin1', maxBuffer: 256 * 1024 * 1024 });
    });
  } finally {
    await r.stop();
  }
});
