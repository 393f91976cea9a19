/**
 * Two tabs of one browser on the same note: typing in one shows in the other through the
 * worker's text path, and each tab shows the other's cursor, marked as another tab. With a
 * SharedWorker, and without one (dedicated workers; the leader's host serves both over the bus).
 */
import { expect, test } from '@playwright/test';
import { editor, newNotebookWithNote, notesSuite, openNotes, storedBody } from './notes-page.ts';

const suite = notesSuite();

/** Tab one types and moves its cursor; tab two follows. */
async function twoTabs(sharedWorker: boolean): Promise<void> {
  const ctx = await suite.browser.newContext();
  if (!sharedWorker) await ctx.addInitScript(() => delete (globalThis as { SharedWorker?: unknown }).SharedWorker);
  const one = await openNotes(ctx, suite);
  const { notebook, note } = await newNotebookWithNote(one, 'Tabs');
  await editor(one).click();
  await one.keyboard.type('typed in tab one');
  const two = await ctx.newPage();
  await two.goto(`${suite.server.url}notes/?relay=${encodeURIComponent(suite.relay.url)}#/${notebook}/${note}`);
  await expect(editor(two)).toHaveText('typed in tab one', { timeout: 20_000 });

  await editor(one).click();
  await one.keyboard.press('Control+End');
  await one.keyboard.type(', and more');
  await expect(editor(two)).toHaveText('typed in tab one, and more');
  await expect(two.locator('.present-peer')).toContainText('(another tab)');
  const cursor = two.locator('.note-body .remote-cursor');
  await expect(cursor).toHaveAttribute('data-pos', String('typed in tab one, and more'.length), { timeout: 10_000 });
  await one.keyboard.press('Control+Home');
  await expect(cursor).toHaveAttribute('data-pos', '0', { timeout: 10_000 });
  expect(await storedBody(two, note)).toBe('typed in tab one, and more');
  await ctx.close();
}

test('another tab of the same browser shows the text live and the cursor as another tab', async () => {
  await twoTabs(true);
});

test('the same without SharedWorker: tabs share the leader tab’s host over the bus', async () => {
  await twoTabs(false);
});
