/**
 * A viewer reads a shared note but cannot write it: the editor is read-only, the app's own
 * client refuses a write with E_PERMISSION before signing anything, and a change signed with the
 * viewer's key anyway (a modified client) is rejected as E_PERMISSION by the relay, the owner's
 * replica and the viewer's own replica, changing no one's text.
 */
import { expect, test } from '@playwright/test';
import { forgeTextEdit } from './forge.ts';
import {
  dbOf,
  editor,
  exportedKey,
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

test('a viewer cannot edit, and a forged edit is rejected as E_PERMISSION on every replica', async () => {
  const ctxA = await suite.browser.newContext();
  const a = await openNotes(ctxA, suite);
  const { note } = await newNotebookWithNote(a, 'Read me');
  await editor(a).click();
  await a.keyboard.type('owner text');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('owner text');
  const link = await inviteLink(a, 'viewer');

  const ctxV = await suite.browser.newContext();
  const v = await joinByInvite(ctxV, suite, link, note, 'viewer');
  await expect(editor(v)).toHaveText('owner text', { timeout: 20_000 });
  await expect(editor(v)).toHaveAttribute('contenteditable', 'false');
  await editor(v).click();
  await v.keyboard.type('typed by the viewer');
  await expect(editor(v)).toHaveText('owner text');

  // The app's own client refuses before signing.
  expect(await tryTextMutation(v, note, 'forged ')).toBe('E_PERMISSION');

  // A modified client signs it anyway with the viewer's key and pushes it to the relay.
  const db = await dbOf(a);
  const forged = await forgeTextEdit(suite.relay.url, db, await exportedKey(v), note, 'FORGED ');
  expect(forged).toMatchObject({ status: 'rejected', code: 'E_PERMISSION' });
  expect((await relayDb(suite, db)).rejected).toContainEqual({ hash: forged.hash, reason: 'E_PERMISSION' });
  const rejected = { status: 'rejected', reason: 'E_PERMISSION' };
  await expect.poll(() => statusOn(a, forged.hash), { timeout: 20_000 }).toEqual(rejected);
  await expect.poll(() => statusOn(v, forged.hash), { timeout: 20_000 }).toEqual(rejected);
  expect(await storedBody(a, note)).toBe('owner text');
  expect(await storedBody(v, note)).toBe('owner text');
  await expect(editor(v)).toHaveText('owner text');
  await ctxA.close();
  await ctxV.close();
});
