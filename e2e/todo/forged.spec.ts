/**
 * A page that pushes a forged change through the relay: it authenticates with a key of its own,
 * then sends, as sync frames, a genuine change with one byte flipped and a change signed by its
 * key but claiming another author. The relay refuses both (nothing stored), and no peer ever
 * shows them.
 */
import { expect, test } from '@playwright/test';
import {
  answerChallenge,
  decode,
  encodeMessage,
  generateIdentity,
  parseChange,
  parseControl,
  signChange,
  type ChallengeMessage,
  type Change,
} from '../../packages/engine/src/index.ts';
import { addTodo, ids, openTodo, relayTodoSuite, titles } from './todo-page.ts';

const suite = relayTodoSuite();

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${suite.relay.url}/metrics`)).text();
  return Number(new RegExp(`^weft_relay_${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
}

test('a forged change pushed through the relay by a page is refused by the relay and reaches no peer', async () => {
  const relayQ = `?relay=${encodeURIComponent(suite.relay.url)}`;
  const ctxA = await suite.env.browser.newContext();
  const a = await openTodo(ctxA, suite.env.server, relayQ);
  await addTodo(a, 'genuine');
  const { db, list } = await ids(a);
  await expect
    .poll(async () => ((await (await fetch(`${suite.relay.url}/v1/db/${db}`)).json()) as { changes: number }).changes)
    .toBe(3);
  const ctxB = await suite.env.browser.newContext();
  const b = await openTodo(
    ctxB,
    suite.env.server,
    `?db=${db}&list=${list}&relay=${encodeURIComponent(suite.relay.url)}`,
  );
  await expect(titles(b)).toHaveText(['genuine'], { timeout: 15_000 });

  // The forgeries: a stored change with a byte of its body flipped (hash and signature no longer
  // match), and the attacker's own signature over a change claiming A's key.
  const pulled = decode(
    new Uint8Array(await (await fetch(`${suite.relay.url}/v1/db/${db}/changes`)).arrayBuffer()),
  ) as Uint8Array[];
  const flipped = pulled[pulled.length - 1]!.slice();
  flipped[flipped.length - 80]! ^= 1;
  const attacker = await generateIdentity();
  const last = parseChange(pulled[pulled.length - 1]!);
  const impostor = { ...attacker, author: last.change.author, sign: (m: Uint8Array) => attacker.sign(m) };
  const claimed = await signChange(impostor, {
    ...last.change,
    seq: last.change.seq + 1,
    deps: [last.hash],
    ops: [{ k: 'set', c: 'todos', d: 'forged', p: ['title'], v: 'forged' }],
  } as unknown as Change);
  const frame = encodeMessage({ t: 'changes', round: 0, batch: [flipped, claimed.bytes], done: true });
  const rejectedBefore = await metric('changes_rejected_total');

  const ctxM = await suite.env.browser.newContext();
  const m = await ctxM.newPage();
  await m.goto(`${suite.env.server.url}todo/`);
  await m.exposeFunction('answer', async (challenge: string) =>
    JSON.stringify(await answerChallenge(attacker, db, parseControl(challenge) as ChallengeMessage)),
  );
  const outcome = await m.evaluate(
    async ({ url, frame }) => {
      const ws = new WebSocket(url);
      ws.binaryType = 'arraybuffer';
      const answer = (globalThis as unknown as { answer(c: string): Promise<string> }).answer;
      return new Promise<string>((resolve) => {
        ws.onmessage = async (e) => {
          if (typeof e.data !== 'string') return;
          const msg = JSON.parse(e.data) as { t: string };
          if (msg.t === 'challenge') ws.send(await answer(e.data));
          if (msg.t === 'ready') {
            ws.send(new Uint8Array(frame));
            setTimeout(() => resolve(`open:${ws.readyState}`), 1_000);
          }
        };
        ws.onclose = (e) => resolve(`closed:${e.code}`);
      });
    },
    { url: `${suite.relay.url.replace('http', 'ws')}/v1/db/${db}/sync`, frame: [...frame] },
  );
  console.log(`[forged] attacker socket: ${outcome}`);
  await expect.poll(() => metric('changes_rejected_total'), { timeout: 10_000 }).toBeGreaterThan(rejectedBefore);
  // Nothing stored, nothing shown, and honest sync goes on.
  expect(((await (await fetch(`${suite.relay.url}/v1/db/${db}`)).json()) as { changes: number }).changes).toBe(3);
  await addTodo(a, 'after the attack');
  await expect(titles(b)).toHaveText(['genuine', 'after the attack'], { timeout: 15_000 });
  await expect(titles(a)).toHaveText(['genuine', 'after the attack']);
  await ctxM.close();
  await ctxA.close();
  await ctxB.close();
});
