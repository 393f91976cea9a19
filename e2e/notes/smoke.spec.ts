/** Smoke: the notes app opens, a note can be typed into, and the text is stored. */
import { expect, test } from '@playwright/test';
import { editor, newNotebookWithNote, notesSuite, openNotes, storedBody } from './notes-page.ts';

const suite = notesSuite();

test('a note typed into is stored', async () => {
  const testInfo = test.info();
  const ctx = await suite.browser.newContext();
  const a = await openNotes(ctx, suite);
  const { note } = await newNotebookWithNote(a, 'Ideas');
  await editor(a).click();
  await a.keyboard.type('hello weft');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('hello weft');
  await a.screenshot({ path: testInfo.outputPath('notes.png') });
  await ctx.close();
});
