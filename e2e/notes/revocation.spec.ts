/**
 * The owner revokes an editor while the editor is offline and still typing. When the editor
 * reconnects, the edits made after the revocation are rolled back everywhere (revocation wins),
 * later edits are refused, and the note's text is the same on the owner's, the editor's and the
 * relay's replicas. The owner's devtools Log shows the rejected changes with their reason.
 */
import { expect, test } from '@playwright/test';
import {
  authorOf,
  dbOf,
  editor,
  invalidOf,
  inviteLink,
  joinByInvite,
  newNotebookWithNote,
  notesSuite,
  openNotes,
  relayDb,
  statusOn,
  storedBody,
  tryTextMutation,
} from './notes-page.ts';

const suite = notesSuite();

test('an editor revoked while offline has the later edits rejected on every replica', async () => {
  const testInfo = test.info();
  const ctxA = await suite.browser.newContext();
  const a = await openNotes(ctxA, suite);
  const { note } = await newNotebookWithNote(a, 'Team');
  await editor(a).click();
  await a.keyboard.type('agreed text.');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('agreed text.');
  const link = await inviteLink(a, 'editor');

  // The editor syncs through the relay only, so going offline really cuts it off.
  const ctxE = await suite.browser.newContext();
  await ctxE.addInitScript(() => delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection);
  const e = await joinByInvite(ctxE, suite, link, note, 'editor');
  const editorId = await authorOf(e);
  await editor(e).click();
  await e.keyboard.press('Control+End');
  await e.keyboard.type(' online edit.');
  await expect.poll(() => storedBody(a, note), { timeout: 20_000 }).toBe('agreed text. online edit.');

  await ctxE.setOffline(true);
  await expect(e.locator('.sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  await a.locator(`.member[data-user="${editorId}"] .revoke`).click();
  await expect(a.locator(`.member[data-user="${editorId}"]`)).toHaveCount(0);
  await e.keyboard.type(' offline edit.');
  await expect.poll(() => storedBody(e, note), { timeout: 10_000 }).toBe('agreed text. online edit. offline edit.');
  // Let the burst be signed while still offline.
  await e.waitForTimeout(600);

  await ctxE.setOffline(false);
  await expect(e.locator('[data-my-role]')).toHaveAttribute('data-my-role', 'none', { timeout: 30_000 });
  const agreed = 'agreed text. online edit.';
  await expect.poll(() => storedBody(e, note), { timeout: 20_000 }).toBe(agreed);
  await expect(editor(e)).toHaveText(agreed);
  await expect(editor(e)).toHaveAttribute('contenteditable', 'false');
  expect(await storedBody(a, note)).toBe(agreed);

  // The offline edits: rejected for permission on the owner's, the editor's and the relay's replicas.
  const db = await dbOf(a);
  const offline = await invalidOf(e, editorId);
  expect(offline.length).toBeGreaterThan(0);
  for (const hash of offline) {
    await expect.poll(async () => (await statusOn(a, hash))?.reason, { timeout: 20_000 }).toBe('E_PERMISSION');
    expect((await statusOn(e, hash))?.reason).toBe('E_PERMISSION');
    await expect
      .poll(async () => (await relayDb(suite, db)).rejected, { timeout: 20_000 })
      .toContainEqual({ hash, reason: 'E_PERMISSION' });
  }

  // Later edits: refused by the editor's own app, and an edit pushed through the worker's text
  // path (below the read-only editor) is reverted; whatever got signed is rejected everywhere.
  expect(await tryTextMutation(e, note, 'late ')).toBe('E_PERMISSION');
  const before = new Set(await invalidOf(e, editorId));
  await e.evaluate((id) => {
    type Handle = { observer: { edit(x: unknown): void }; release(): void };
    const c = (globalThis as { __weft?: { client: { text(c: string, d: string, f: string): Handle } } }).__weft!.client;
    const h = c.text('notes', id, 'body');
    h.observer.edit([['i', 0, 'LATE ']]);
    setTimeout(() => h.release(), 5_000);
  }, note);
  await e.waitForTimeout(1_000);
  await expect.poll(() => storedBody(e, note), { timeout: 10_000 }).toBe(agreed);
  for (const hash of (await invalidOf(e, editorId)).filter((h) => !before.has(h))) {
    await expect.poll(async () => (await statusOn(a, hash))?.reason, { timeout: 20_000 }).toBe('E_PERMISSION');
    await expect
      .poll(async () => (await relayDb(suite, db)).rejected, { timeout: 20_000 })
      .toContainEqual({ hash, reason: 'E_PERMISSION' });
  }
  expect(await storedBody(a, note)).toBe(agreed);
  await expect(editor(e)).toHaveText(agreed);

  // The owner's devtools Log shows the rejected changes with their reason.
  await a.locator('button[data-weft-devtools-toggle]').click();
  await a.locator('[data-weft-devtools] button[role=tab][data-tab="log"]').click();
  const row = a.locator(`[data-change-row][data-hash="${offline[0]}"]`);
  await expect(row).toHaveAttribute('data-author', editorId, { timeout: 15_000 });
  await expect(row).toHaveAttribute('data-status', /^(rejected|rolledBack)$/);
  await expect(row).toHaveAttribute('data-reason', 'E_PERMISSION');
  await a.screenshot({ path: testInfo.outputPath('notes-devtools-log.png') });
  await ctxA.close();
  await ctxE.close();
});
