/**
 * Offline editing: an editor keeps typing into a shared note while offline, the owner keeps
 * typing online, and when the editor reconnects both edits are kept, each where it was made,
 * and the note is the same on both sides.
 */
import { expect, test } from '@playwright/test';
import {
  editor,
  inviteLink,
  joinByInvite,
  newNotebookWithNote,
  notesSuite,
  openNotes,
  storedBody,
} from './notes-page.ts';

const suite = notesSuite();

test('edits made offline merge with concurrent online edits on reconnect', async () => {
  const ctxA = await suite.browser.newContext();
  const a = await openNotes(ctxA, suite);
  const { note } = await newNotebookWithNote(a, 'Field notes');
  await editor(a).click();
  await a.keyboard.type('base');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('base');
  const link = await inviteLink(a, 'editor');

  // Relay only, so going offline really cuts the editor off.
  const ctxB = await suite.browser.newContext();
  await ctxB.addInitScript(() => delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection);
  const b = await joinByInvite(ctxB, suite, link, note, 'editor');
  await expect(editor(b)).toHaveText('base', { timeout: 20_000 });

  await ctxB.setOffline(true);
  await expect(b.locator('.sync')).toHaveAttribute('data-state', 'offline', { timeout: 15_000 });
  await editor(b).click();
  await b.keyboard.press('Control+Home');
  await b.keyboard.type('offline: ');
  await editor(a).click();
  await a.keyboard.press('Control+End');
  await a.keyboard.type(' (online)');
  await expect.poll(() => storedBody(b, note), { timeout: 10_000 }).toBe('offline: base');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('base (online)');

  await ctxB.setOffline(false);
  const merged = 'offline: base (online)';
  await expect.poll(() => storedBody(b, note), { timeout: 30_000 }).toBe(merged);
  await expect.poll(() => storedBody(a, note), { timeout: 30_000 }).toBe(merged);
  await expect(editor(a)).toHaveText(merged);
  await expect(editor(b)).toHaveText(merged);
  await ctxA.close();
  await ctxB.close();
});
