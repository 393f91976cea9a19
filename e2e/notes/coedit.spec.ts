/**
 * Two users co-edit one note over WebRTC (signaled through a real relay): they type into it at
 * the same time and end with the same text, each keystroke kept; each sees the other's cursor
 * and sees it move. Over WebRTC it needs the private network namespace (`npm run test:e2e`),
 * like the todo WebRTC spec; the relay-only variant runs anywhere.
 */
import { expect, test, type Page } from '@playwright/test';
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

async function setName(page: Page, name: string): Promise<void> {
  await page.locator('.my-name').fill(name);
}

function cursorOf(page: Page, user: string) {
  return page.locator(`.note-body .remote-cursor[data-user="${user}"]`);
}

/** A and B co-edit one note; B connects over `transport` (WebRTC, or only through the relay). */
async function coedit(transport: 'webrtc' | 'relay'): Promise<void> {
  const testInfo = test.info();
  const ctxA = await suite.browser.newContext();
  const a = await openNotes(ctxA, suite);
  await setName(a, 'Ada');
  const { note } = await newNotebookWithNote(a, 'Together');
  await editor(a).click();
  await a.keyboard.type('one two three');
  await expect.poll(() => storedBody(a, note), { timeout: 10_000 }).toBe('one two three');
  const link = await inviteLink(a, 'editor');

  const ctxB = await suite.browser.newContext();
  if (transport === 'relay')
    await ctxB.addInitScript(() => delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection);
  const b = await joinByInvite(ctxB, suite, link, note, 'editor');
  await setName(b, 'Bob');
  await expect(editor(b)).toHaveText('one two three', { timeout: 20_000 });
  if (transport === 'webrtc') {
    await expect(a.locator('.sync')).toContainText('webrtc:', { timeout: 30_000 });
    await expect(b.locator('.sync')).toContainText('webrtc:', { timeout: 30_000 });
  } else await expect(b.locator('.sync')).not.toContainText('webrtc:');

  // Cursors: B puts its cursor at the start, A sees it there; B moves to the end, A sees it move.
  await editor(b).click();
  await b.keyboard.press('Control+Home');
  await expect(cursorOf(a, 'Bob')).toHaveAttribute('data-pos', '0', { timeout: 15_000 });
  await b.keyboard.press('Control+End');
  await expect(cursorOf(a, 'Bob')).toHaveAttribute('data-pos', '13', { timeout: 15_000 });
  await editor(a).click();
  await a.keyboard.press('Control+Home');
  await expect(cursorOf(b, 'Ada')).toHaveAttribute('data-pos', '0', { timeout: 15_000 });

  // Both type at once: A at the start, B at the end, keystroke by keystroke.
  await Promise.all([
    a.keyboard.type('[ada typed this] ', { delay: 15 }),
    b.keyboard.type(' [bob typed this]', { delay: 15 }),
  ]);
  const expected = '[ada typed this] one two three [bob typed this]';
  await expect.poll(() => storedBody(a, note), { timeout: 20_000 }).toBe(expected);
  await expect.poll(() => storedBody(b, note), { timeout: 20_000 }).toBe(expected);
  await expect(editor(a)).toHaveText(expected);
  await expect(editor(b)).toHaveText(expected);
  // Each cursor followed its owner's typing.
  await expect(cursorOf(a, 'Bob')).toHaveAttribute('data-pos', String(expected.length), { timeout: 15_000 });
  await expect(cursorOf(b, 'Ada')).toHaveAttribute('data-pos', '17', { timeout: 15_000 });
  await a.screenshot({ path: testInfo.outputPath(`notes-coedit-${transport}-a.png`) });
  await b.screenshot({ path: testInfo.outputPath(`notes-coedit-${transport}-b.png`) });
  await ctxA.close();
  await ctxB.close();
}

test('two users type into one note at once over WebRTC and converge, seeing each other’s cursors', async () => {
  test.skip(process.env.WEFT_IN_NETNS !== '1', 'WebRTC needs the private network namespace (root on Linux)');
  await coedit('webrtc');
});

test('the same through the relay alone (a browser without RTCPeerConnection)', async () => {
  await coedit('relay');
});
