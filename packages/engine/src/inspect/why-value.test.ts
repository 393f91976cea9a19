import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica, type Replica } from '../replica/replica.ts';
import { deliver } from '../auth/auth-test-kit.test-support.ts';
import { inspect } from './inspect.ts';

const why = (r: Replica, field: string, id = 't') =>
  inspect({ replica: r }, { v: 1, kind: 'why', collection: 'todos', id, field });

describe('inspect why', () => {
  it('names the same winning op on both sides and lists the concurrent op it beat', async () => {
    let now = 1_000_000;
    const clock = () => now;
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'w' }, wallClock: clock });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId, wallClock: clock });
    const h0 = await a.change((tx) => tx.insert('todos', { title: 'start', n: 0 }, 't'));
    const hOld = await a.change((tx) => tx.update('todos', 't', { title: 'older' }));
    await deliver(b, a);
    // Concurrent edits of the title; a's has the later clock, so it wins.
    now += 10;
    const hb = await b.change((tx) => tx.update('todos', 't', { title: 'from b' }));
    now += 10;
    const ha = await a.change((tx) => tx.update('todos', 't', { title: 'from a' }));
    await deliver(a, b);
    await deliver(b, a);
    for (const r of [a, b]) {
      const res = why(r, 'title');
      expect(res.kind).toBe('lww');
      expect(res.winner).toMatchObject({ hash: ha, author: a.author, value: 'from a', op: 0 });
      expect(res.winner!.hlc).toEqual(a.getChange(ha)!.sc.change.hlc);
      // hOld and h0 are in the winner's past: overwritten, not beaten.
      expect(res.beaten).toEqual([
        { hash: hb, author: b.author, hlc: b.getChange(hb)!.sc.change.hlc, value: 'from b', op: 0 },
      ]);
    }
    expect([h0, hOld]).not.toContain(why(a, 'title').beaten[0]!.hash);
    // A field nobody wrote concurrently has a winner and nothing beaten.
    expect(why(a, 'n')).toMatchObject({ winner: { hash: h0, value: 0 }, beaten: [] });
  });

  it('has no single winner for counters, unknown fields or missing docs', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'w2' } });
    await a.change((tx) => {
      tx.insert('todos', { title: 'x' }, 't');
      tx.increment('todos', 't', 'likes', 1);
    });
    expect(why(a, 'likes')).toEqual({ kind: 'counter', winner: null, beaten: [] });
    expect(why(a, 'nope')).toEqual({ kind: 'none', winner: null, beaten: [] });
    expect(why(a, 'title', 'missing')).toEqual({ kind: 'none', winner: null, beaten: [] });
  });
});
