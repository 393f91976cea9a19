import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { generateIdentity, defaultEd25519 } from '../crypto/identity.ts';
import { answerChallenge, newChallenge, parseControl, verifyAnswer, type AuthMessage } from './relay-auth.ts';

const DB = 'a'.repeat(64);
let n = 0;
const random = (k: number) => new Uint8Array(k).fill(++n);

async function code(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return (err as WeftError).code;
  }
  return 'none';
}

describe('relay authentication', () => {
  it('accepts the answer to its own challenge, for its database and server only', async () => {
    const port = await defaultEd25519();
    const id = await generateIdentity();
    const c = newChallenge('server-1', random);
    const a = await answerChallenge(id, DB, c);
    expect(await verifyAnswer(port, DB, c, a)).toBe(id.author);
    expect(await code(verifyAnswer(port, 'b'.repeat(64), c, a))).toBe('E_SIGNATURE');
    expect(await code(verifyAnswer(port, DB, { ...c, server: 'server-2' }, a))).toBe('E_SIGNATURE');
    // A replay against a fresh challenge fails.
    expect(await code(verifyAnswer(port, DB, newChallenge('server-1', random), a))).toBe('E_SIGNATURE');
    const other = await generateIdentity();
    expect(await code(verifyAnswer(port, DB, c, { ...a, author: other.author }))).toBe('E_SIGNATURE');
    const bad: AuthMessage[] = [
      { ...a, author: 'xyz' },
      { ...a, sig: '!!!' },
      { ...a, sig: a.sig.slice(0, 20) },
    ];
    for (const b of bad) expect(['E_PROTOCOL', 'E_SIGNATURE']).toContain(await code(verifyAnswer(port, DB, c, b)));
  });

  it('parses only well-formed control messages', async () => {
    expect(parseControl('{"t":"signal","to":"x","data":1}').t).toBe('signal');
    for (const text of ['', 'nope', '[]', 'null', '{"t":"auth"}', '{"t":"ready","peers":[1]}', '{"t":"zap"}'])
      expect(await code(() => parseControl(text))).toBe('E_PROTOCOL');
    expect(await code(() => parseControl(`"${'x'.repeat(70_000)}"`))).toBe('E_TOO_LARGE');
  });
});
