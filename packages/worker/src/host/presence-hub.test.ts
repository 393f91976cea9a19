/**
 * Presence between two hosts over a sync session: a tab's cursor crosses as anchors and stays on
 * its characters through a concurrent edit; other tabs of the same host see each other; an
 * update claiming another author over an authenticated session is ignored; entries end with
 * their tab or their session; bad tab input is refused with E_INVALID_ARGUMENT.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryTransportPair, createReplica, generateIdentity, newDocId, type Replica } from '@weft/engine';
import { PRESENCE_HEARTBEAT_MS, PRESENCE_TTL_MS, PresenceHub } from './presence-hub.ts';
import { TextSessions } from './text-sessions.ts';
import { presenceInputError, type PresencePeer } from '../protocol/presence-types.ts';
import type { Push } from '../protocol/host-api.ts';

interface Host {
  replica: Replica;
  text: TextSessions;
  hub: PresenceHub;
}

const hosts: Host[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) {
    h.hub.dispose();
    h.text.dispose();
    await h.replica.close();
  }
});

async function host(replica: Replica): Promise<Host> {
  const text = new TextSessions(replica);
  const h = { replica, text, hub: new PresenceHub('db', replica, text) };
  hosts.push(h);
  return h;
}

/** A tab: its push function and the latest presence it was pushed. */
function tab(): { push: (p: Push) => void; peers: () => readonly PresencePeer[]; pushes: Push[] } {
  const pushes: Push[] = [];
  let peers: readonly PresencePeer[] = [];
  return {
    pushes,
    push: (p) => {
      pushes.push(p);
      if (p.weft === 'presence') peers = p.peers;
    },
    peers: () => peers,
  };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

async function exchange(from: Replica, to: Replica): Promise<void> {
  await from.flush();
  const have = new Set(to.changes().map((e) => e.sc.hash));
  const missing = from.changes().filter((e) => !have.has(e.sc.hash));
  if (missing.length > 0) await to.ingestMany(missing.map((e) => e.sc.bytes));
}

describe('presence hub', () => {
  it('carries cursors as anchors between hosts, through concurrent edits, and ends them with their tab', async () => {
    const ra = await createReplica({ identity: await generateIdentity(), create: { name: 'p' } });
    const rb = await createReplica({ identity: await generateIdentity(), db: ra.dbId });
    const id = newDocId();
    await ra.change((tx) => void tx.insert('notes', { title: 'n' }, id));
    ra.editText('notes', id, 'body').insert(0, 'hello world');
    await exchange(ra, rb);
    const a = await host(ra);
    const b = await host(rb);
    const [ta, tb] = createMemoryTransportPair();
    const sa = ra.sync(ta, { presence: a.hub, peer: rb.author });
    const sb = rb.sync(tb, { presence: b.hub, peer: ra.author });

    const tabA = tab();
    const tabA2 = tab();
    const tabB = tab();
    a.text.open('ta', 'ta', 'notes', id, 'body', tabA.push);
    b.text.open('tb', 'tb', 'notes', id, 'body', tabB.push);
    a.hub.watch(tabA2.push);
    b.hub.watch(tabB.push);
    const va = (tabA.pushes[0] as { v: number }).v;
    // Ada's cursor after "hello" (index 5), selection back to 2.
    a.hub.set(tabA.push, { user: 'Ada', color: '#112233', cursor: { sub: 'ta', v: va, anchor: 2, head: 5 } });

    await until(() => tabB.peers().some((p) => p.user === 'Ada' && p.cursor !== null));
    const seen = tabB.peers().find((p) => p.user === 'Ada')!;
    expect(seen).toMatchObject({ author: ra.author, local: false, color: '#112233' });
    expect(seen.cursor).toMatchObject({ c: 'notes', d: id, f: 'body', anchor: 2, head: 5 });
    // Another tab of A's host sees her too, marked local.
    await until(() => tabA2.peers().some((p) => p.user === 'Ada' && p.local));

    // Bob inserts before her cursor on B: the anchors follow their characters.
    rb.editText('notes', id, 'body').insert(0, 'XYZ');
    await until(() => tabB.peers().find((p) => p.user === 'Ada')?.cursor?.head === 8);
    expect(tabB.peers().find((p) => p.user === 'Ada')!.cursor!.anchor).toBe(5);

    // Her tab goes away: B hears it.
    a.hub.drop(tabA.push);
    await until(() => !tabB.peers().some((p) => p.user === 'Ada'));
    sa.close();
    sb.close();
  });

  it('ignores updates for another author over an authenticated session, and ends entries with their session', async () => {
    const ra = await createReplica({ identity: await generateIdentity(), create: { name: 'p' } });
    const a = await host(ra);
    const t = tab();
    a.hub.watch(t.push);
    const sessions: { peer: string | null; sent: unknown[]; sendPresence(u: unknown): void }[] = [];
    const session = (peer: string | null) => {
      const s = { peer, sent: [] as unknown[], sendPresence: (u: unknown) => void s.sent.push(u) };
      sessions.push(s);
      return s;
    };
    const honest = session('aa'.repeat(32));
    const detach = a.hub.attach(honest);
    expect(honest.sent).toHaveLength(1); // our own presence, at once
    const entry = { tab: 't', user: 'Eve', color: '#000000', cursor: null };
    a.hub.receive({ author: 'bb'.repeat(32), hub: 'h', seq: 1, entries: [entry] }, honest);
    a.hub.receive({ author: 'aa'.repeat(32), hub: 'h', seq: 1, entries: [{ ...entry, user: 'Al' }] }, honest);
    await until(() => t.peers().length === 1);
    expect(t.peers().map((p) => p.user)).toEqual(['Al']);
    // An older update of the same hub is ignored.
    a.hub.receive({ author: 'aa'.repeat(32), hub: 'h', seq: 0, entries: [{ ...entry, user: 'old' }] }, honest);
    await new Promise((r) => setTimeout(r, 80));
    expect(t.peers().map((p) => p.user)).toEqual(['Al']);
    detach();
    await until(() => t.peers().length === 0);
  });

  it('forgets a peer that goes quiet, and repeats its own presence as a heartbeat', async () => {
    const ra = await createReplica({ identity: await generateIdentity(), create: { name: 'p' } });
    vi.useFakeTimers();
    try {
      const a = await host(ra);
      const t = tab();
      a.hub.watch(t.push);
      const sent: unknown[] = [];
      a.hub.attach({ peer: null, sendPresence: (u) => void sent.push(u) });
      a.hub.set(t.push, { user: 'me', color: '#000000', cursor: null });
      a.hub.receive(
        {
          author: 'cc'.repeat(32),
          hub: 'h',
          seq: 1,
          entries: [{ tab: 't', user: 'Quiet', color: '#111111', cursor: null }],
        },
        { peer: null, sendPresence: () => undefined },
      );
      await vi.advanceTimersByTimeAsync(100);
      expect(t.peers().map((p) => p.user)).toEqual(['Quiet']);
      const before = sent.length;
      await vi.advanceTimersByTimeAsync(PRESENCE_TTL_MS + PRESENCE_HEARTBEAT_MS);
      expect(t.peers()).toEqual([]);
      expect(sent.length).toBeGreaterThanOrEqual(before + 3); // heartbeats
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses malformed presence from a tab', () => {
    expect(presenceInputError(null)).toBeNull();
    expect(presenceInputError({ user: 'a', color: '#123456', cursor: null })).toBeNull();
    for (const bad of [
      'x',
      { user: 'a'.repeat(65), color: '#123456', cursor: null },
      { user: 'a', color: 'red', cursor: null },
      { user: 'a', color: '#123456', cursor: { sub: 's', v: -1, anchor: 0, head: 0 } },
      { user: 'a', color: '#123456', cursor: { v: 1, anchor: 0, head: 0 } },
      { user: 'a', color: '#123456' },
    ])
      expect(presenceInputError(bad)).not.toBeNull();
  });
});
