import { describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, WeftError } from '@weft/engine';
import { IntentRecorder, parseIntents, replayIntents } from './intents.ts';

describe('mutation intents', () => {
  it('record in the page and replay in the host into the same writes', async () => {
    const r = await createReplica({ identity: await generateIdentity(), create: { name: 'i' } });
    const rec = new IntentRecorder();
    const id = rec.insert('notes', { title: 'x', n: 1 });
    rec.set('notes', id, 'title', 'y');
    rec.increment('notes', id, 'likes', 2);
    rec.addToSet('notes', id, 'tags', 'a');
    rec.text('notes', id, 'body').insert(0, 'hello');
    rec.text('notes', id, 'body').delete(0, 1);
    rec.list('notes', id, 'items').insert(0, 1, 2, 3);
    rec.list('notes', id, 'items').move(0, 2);
    rec.list('notes', id, 'items').delete(0);
    const wire = structuredClone(rec.intents);
    await r.change((tx) => replayIntents(tx, parseIntents(wire)));
    expect(r.get('notes', id)).toMatchObject({ title: 'y', n: 1, likes: 2, tags: ['a'], body: 'ello', items: [3, 1] });
  });

  it('reject malformed intent lists with typed errors', () => {
    const bad: unknown[] = [
      undefined,
      {},
      [],
      [null],
      [{ op: 'insert', c: 'a', id: 'b' }],
      [{ op: 'set', c: 'a', id: 'b' }],
      [{ op: 'increment', c: 'a', id: 'b', path: 'x', by: '1' }],
      [{ op: 'text', c: 'a', id: 'b', path: 'x', edit: ['ins', 0, 5] }],
      [{ op: 'text', c: 'a', id: 'b', path: 'x', edit: ['move', 0, 1] }],
      [{ op: 'list', c: 'a', id: 'b', path: 'x', edit: ['ins', 0, 'notarray'] }],
      [{ op: 'list', c: 'a', id: 'b', path: 'x', edit: ['del', 0.5, 1] }],
      [{ op: 'drop', c: 'a', id: 'b' }],
    ];
    for (const x of bad) {
      try {
        parseIntents(x);
        expect.unreachable(JSON.stringify(x));
      } catch (err) {
        expect(err).toBeInstanceOf(WeftError);
        expect((err as WeftError).code).toBe('E_INVALID_ARGUMENT');
      }
    }
  });
});
