/**
 * The sync session on its own: malformed, oversized and misaddressed input closes it with a
 * typed error; credit bounds what a peer may have in flight; a new session after a disconnect
 * resumes from what the peer stored, re-sending nothing it already holds.
 */
import { describe, expect, it } from 'vitest';
import { createReplica, type Replica } from '../replica/replica.ts';
import { generateIdentity } from '../crypto/identity.ts';
import { createMemoryTransportPair } from './memory-transport.ts';
import { decodeMessage, encodeMessage, DEFAULT_MESSAGE_LIMITS } from './messages.ts';
import type { Transport } from './transport.ts';
import type { WeftError } from '../errors.ts';

async function pair(): Promise<[Replica, Replica]> {
  const a = await createReplica({ identity: await generateIdentity(), create: { name: 's' } });
  const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
  return [a, b];
}

async function settle(...ss: { settled: boolean }[]): Promise<void> {
  for (let i = 0; i < 400 && !ss.every((s) => s.settled); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ss.every((s) => s.settled)).toBe(true);
}

/** A raw peer end: records frames the session sends, and lets the test send anything. */
function rawPeer(): { session: Transport; sent: Uint8Array[]; peer: Transport } {
  const [session, peer] = createMemoryTransportPair();
  const sent: Uint8Array[] = [];
  peer.onMessage((f) => sent.push(f));
  return { session, sent, peer };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('sync session', () => {
  it('closes with E_PROTOCOL on a garbage frame, telling the peer why', async () => {
    const [a] = await pair();
    const { session, sent, peer } = rawPeer();
    const s = a.sync(session);
    peer.send(new Uint8Array([0xff, 0x00, 0x13]));
    const reason = (await s.closed) as WeftError;
    expect(reason.code).toBe('E_PROTOCOL');
    await tick();
    const last = decodeMessage(sent.at(-1)!);
    expect(last).toMatchObject({ t: 'error', code: 'E_PROTOCOL' });
  });

  it('closes with E_TOO_LARGE on an oversized frame', async () => {
    const [a] = await pair();
    const { session, peer } = rawPeer();
    const s = a.sync(session, { limits: { ...DEFAULT_MESSAGE_LIMITS, maxFrameBytes: 64 } });
    peer.send(new Uint8Array(65));
    expect(((await s.closed) as WeftError).code).toBe('E_TOO_LARGE');
  });

  it('refuses a peer syncing another database with E_WRONG_DB', async () => {
    const [a] = await pair();
    const [other] = await pair();
    const [ta, tb] = createMemoryTransportPair();
    const sa = a.sync(ta);
    const sb = other.sync(tb);
    const [ra, rb] = (await Promise.all([sa.closed, sb.closed])) as WeftError[];
    expect([ra!.code, rb!.code]).toContain('E_WRONG_DB');
  });

  it('never lets the peer have more changes in flight than the credit window', async () => {
    const [a, b] = await pair();
    for (let i = 0; i < 60; i++) await a.change((tx) => tx.insert('items', { n: i }, `d${i}`));
    const { session, sent, peer } = rawPeer();
    a.sync(session, { batchSize: 4 });
    // Act as a slow receiver: hello with a window of 10, then never grant more.
    peer.send(
      encodeMessage({
        t: 'hello',
        protocol: 1,
        db: b.dbId,
        schema: null,
        vv: b.versionVector(),
        heads: b.heads(),
        round: 1,
        window: 10,
        reply: true,
      }),
    );
    await tick();
    const batches = sent.map((f) => decodeMessage(f)).filter((m) => m.t === 'changes');
    const delivered = batches.reduce((n, m) => n + (m.t === 'changes' ? m.batch.length : 0), 0);
    expect(delivered).toBe(10);
    // Granting credit releases exactly that much more.
    peer.send(encodeMessage({ t: 'credit', round: 1, n: 5, vv: b.versionVector() }));
    await tick();
    const after = sent.map((f) => decodeMessage(f)).reduce((n, m) => n + (m.t === 'changes' ? m.batch.length : 0), 0);
    expect(after).toBe(15);
  });

  it('resumes after a disconnect without re-sending what the peer stored', async () => {
    const [a, b] = await pair();
    for (let i = 0; i < 20; i++) await a.change((tx) => tx.insert('items', { n: i }, `d${i}`));
    let [ta, tb] = createMemoryTransportPair();
    let sa = a.sync(ta);
    let sb = b.sync(tb);
    await settle(sa, sb);
    sa.close();
    for (let i = 20; i < 25; i++) await a.change((tx) => tx.insert('items', { n: i }, `d${i}`));
    [ta, tb] = createMemoryTransportPair();
    sa = a.sync(ta);
    sb = b.sync(tb);
    await settle(sa, sb);
    expect(sa.stats.changesOut).toBe(5);
    expect(b.stateHash()).toBe(a.stateHash());
  });

  it('counts forged changes from a peer as rejected and keeps syncing', async () => {
    const [a, b] = await pair();
    await a.change((tx) => tx.insert('items', { n: 1 }, 'x'));
    const [ta, tb] = createMemoryTransportPair();
    const sb = b.sync(tb);
    // A peer that sends one valid change and one with a corrupted signature.
    const good = a.changes().map((e) => e.sc.bytes);
    const bad = good.at(-1)!.slice();
    bad[bad.length - 1]! ^= 0xff;
    ta.onMessage(() => undefined);
    ta.send(
      encodeMessage({
        t: 'hello',
        protocol: 1,
        db: a.dbId,
        schema: null,
        vv: {},
        heads: [],
        round: 1,
        window: 100,
        reply: true,
      }),
    );
    ta.send(encodeMessage({ t: 'changes', round: 1, batch: [good[0]!, bad], done: true }));
    await tick();
    expect(sb.stats.rejectedIn).toBe(1);
    expect(b.changes().length).toBe(1); // the genesis only: the forged change is not stored
  });
});
