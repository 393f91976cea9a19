/**
 * A note's history: the devtools History tab shows the note as it was before its last edit
 * (picked from the devtools Log), and so does the app's own history panel. Screenshots of the
 * app and of the devtools panel open in it are saved with the test results.
 */
import { expect, test, type Page } from '@playwright/test';
import { editor, newNotebookWithNote, notesSuite, openNotes } from './notes-page.ts';

const suite = notesSuite();

/** The note's audit trail (body entries carry the whole text after the change). */
function bodyTrail(page: Page, note: string): Promise<{ hash: string; value: unknown }[]> {
  return page.evaluate(async (id) => {
    type Entry = { hash: string; field: string; value?: unknown };
    const c = (globalThis as { __weft?: { client: { inspect(r: unknown): Promise<{ entries: Entry[] }> } } }).__weft!
      .client;
    const { entries } = await c.inspect({ v: 1, kind: 'audit', collection: 'notes', id });
    return entries.filter((e) => e.field === 'body').map((e) => ({ hash: e.hash, value: e.value }));
  }, note);
}

test('History shows the note as it was before the last edit', async () => {
  const testInfo = test.info();
  const ctx = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } });
  const a = await openNotes(ctx, suite);
  const { note } = await newNotebookWithNote(a, 'Drafts');
  await editor(a).click();
  await a.keyboard.type('first draft');
  await expect.poll(async () => (await bodyTrail(a, note)).at(-1)?.value, { timeout: 10_000 }).toBe('first draft');
  const before = (await bodyTrail(a, note)).at(-1)!.hash;
  await a.keyboard.type(', then more');
  await expect
    .poll(async () => (await bodyTrail(a, note)).at(-1)?.value, { timeout: 10_000 })
    .toBe('first draft, then more');
  await a.screenshot({ path: testInfo.outputPath('notes.png') });

  // The app's own history panel.
  await a.locator('.note-history summary').click();
  await a.locator(`.history-entry[data-hash="${before}"]`).click();
  await expect(a.locator('.history-doc')).toHaveText('first draft');

  // Devtools: pick the change in the Log, then the note in History.
  await a.locator('button[data-weft-devtools-toggle]').click();
  await a.locator('[data-weft-devtools] button[role=tab][data-tab="log"]').click();
  await a.locator(`[data-view-at="${before}"]`).click();
  await expect(a.locator('[data-history-at]')).toHaveValue(before);
  await a.locator('[data-history-collection]').fill('notes');
  await a.locator('[data-history-id]').fill(note);
  const doc = a.locator('[data-history-doc]');
  await expect(doc).toHaveAttribute('data-at', before);
  await expect
    .poll(async () => (JSON.parse((await doc.textContent()) ?? 'null') as { body?: string })?.body)
    .toBe('first draft');
  await a.screenshot({ path: testInfo.outputPath('notes-devtools-history.png') });
  await ctx.close();
});
