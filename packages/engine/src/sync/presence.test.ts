/**
 * Presence over a sync session: well-formed updates reach the sink; malformed, oversized and
 * rate-exceeding ones are dropped and counted while the session keeps syncing (invariant 5 of
 * session.ts); the codec round-trips and refuses bad shapes with E_PROTOCOL.
 */
import { describe, expect, it } from 'vitest';
import { createReplica } from '../replica/replica.ts';
import { generateIdentity } from '../crypto/identity.ts';
import { createMemoryTransportPair } from './memory-transport.ts';
import { encodeMessage } from './messages.ts';
import {
  PRESENCE_LIMITS,
  PresenceRate,
  encodePresence,
  parsePresence,
  type PresenceSink,
  type PresenceUpdate,
} from './presence.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';

const AUTHOR = 'ab'.repeat(32);
const UPDATE: PresenceUpdate = {
  author: AUTHOR,
  hub: 'h1',
  seq: 3,
  entries: [
    {
      tab: 't1',
      user: 'Ada',
      color: '#aa3300',
      cursor: {
        c: 'notes',
        d: 'n1',
        f: 'body',
        anchor: { id: [AUTHOR, 5], assoc: 'before' },
        head: { id: null, assoc: 'after' },
      },
    },
    { tab: 't2', user: 'Ada', color: '#0033aa', cursor: null },
  ],
};

function sink(): PresenceSink & { got: PresenceUpdate[]; attached: number } {
  const s = {
    got: [] as PresenceUpdate[],
    attached: 0,
    attach: () => {
      s.attached++;
      return () => s.attached--;
    },
    receive: (u: PresenceUpdate) => void s.got.push(u),
  };
  return s;
}

const tick = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('presence', () => {
  it('round-trips through its canonical form', () => {
    expect(parsePresence(encodePresence(UPDATE))).toEqual(UPDATE);
  });

  it('refuses malformed updates with E_PROTOCOL', () => {
    const good = encodePresence(UPDATE) as Record<string, CanonicalValue>;
    const bads: CanonicalValue[] = [
      null,
      'x',
      { ...good, extra: 1 },
      { ...good, a: 'not-hex' },
      { ...good, s: -1 },
      { ...good, e: Array.from({ length: PRESENCE_LIMITS.maxEntries + 1 }, () => (good.e as CanonicalValue[])[1]!) },
      { ...good, e: [{ t: 't', u: 'x'.repeat(65), c: '#000000', x: null }] },
      { ...good, e: [{ t: 't', u: 'u', c: 'red', x: null }] },
      {
        ...good,
        e: [{ t: 't', u: 'u', c: '#000000', x: { c: 'a', d: 'b', f: 'c', a: { id: [1, 2], as: 'before' }, h: null } }],
      },
      {
        ...good,
        e: [
          {
            t: 't',
            u: 'u',
            c: '#000000',
            x: { c: 'a', d: 'b', f: 'c', a: { id: null, as: 'sideways' }, h: { id: null, as: 'after' } },
          },
        ],
      },
    ];
    for (const b of bads) expect(() => parsePresence(b)).toThrow(expect.objectContaining({ code: 'E_PROTOCOL' }));
  });

  it('reaches the sink; malformed and oversized presence is dropped while sync goes on', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'p' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    const [ta, tb] = createMemoryTransportPair();
    const sa = sink();
    const sessionA = a.sync(ta, { presence: sa });
    const sessionB = b.sync(tb);
    expect(sa.attached).toBe(1);
    sessionB.sendPresence(UPDATE);
    tb.send(encodeMessage({ t: 'presence', p: { nonsense: true } }));
    tb.send(encodeMessage({ t: 'presence', p: { blob: new Uint8Array(PRESENCE_LIMITS.maxBytes) } }));
    await a.change((tx) => void tx.insert('notes', { title: 'still syncing' }, 'n1'));
    for (let i = 0; i < 100 && b.get('notes', 'n1') === undefined; i++) await tick(10);
    expect(b.get('notes', 'n1')).toMatchObject({ title: 'still syncing' });
    expect(sa.got).toEqual([UPDATE]);
    expect(sessionA.stats.presenceDropped).toBe(2);
    sessionA.close();
    expect(sa.attached).toBe(0);
    sessionB.close();
  });

  it('limits the rate of incoming updates', () => {
    let now = 0;
    const rate = new PresenceRate(() => now);
    let taken = 0;
    for (let i = 0; i < 100; i++) if (rate.take()) taken++;
    expect(taken).toBe(PRESENCE_LIMITS.burst);
    now += 1000;
    taken = 0;
    for (let i = 0; i < 100; i++) if (rate.take()) taken++;
    expect(taken).toBe(PRESENCE_LIMITS.perSecond);
  });
});
