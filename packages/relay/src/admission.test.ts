import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { answerChallenge, generateIdentity, parseControl, type ChallengeMessage } from '@weft/engine';
import { client, memoryRelay, rawSocket, until, type Client } from './relay-test-kit.test-support.ts';
import type { Relay } from './relay-server.ts';

const open: { relays: Relay[]; clients: Client[]; sockets: WebSocket[] } = { relays: [], clients: [], sockets: [] };
afterEach(async () => {
  for (const s of open.sockets.splice(0)) s.close();
  for (const c of open.clients.splice(0)) c.link.close();
  for (const r of open.relays.splice(0)) await r.close();
});

/**
 * A raw client that authenticates and then never speaks the sync protocol, so its session never
 * settles and keeps its admission slot. Resolves with what came after the answer: `ready`, or
 * the close code.
 */
async function silentPeer(relay: Relay, db: string) {
  const sock = await rawSocket(relay, db);
  open.sockets.push(sock.ws);
  // A `peers` update may come first; wait for `ready` itself.
  const ready = new Promise<string>((resolve) => {
    sock.ws.on('message', (d: Buffer, isBinary: boolean) => {
      // Binary frames are the relay's side of the sync protocol, which this peer ignores.
      if (!isBinary && (JSON.parse(String(d)) as { t: string }).t === 'ready') resolve('ready');
    });
    void sock.closed.then((code) => resolve(`closed ${code}`));
  });
  const identity = await generateIdentity();
  const answer = await answerChallenge(identity, db, parseControl(sock.challenge) as ChallengeMessage);
  sock.ws.send(JSON.stringify(answer));
  return { ws: sock.ws, ready, closed: sock.closed, author: identity.author };
}

const gauge = async (relay: Relay, name: string): Promise<number> => {
  const text = await (await fetch(`${relay.url}/metrics`)).text();
  return Number(new RegExp(`^weft_relay_${name} (\\d+)$`, 'm').exec(text)?.[1]);
};

describe('relay: admission control', () => {
  it('runs maxActiveSyncs at once, queues the next, refuses beyond with 1013, and admits in turn', async () => {
    const relay = await memoryRelay({ maxActiveSyncs: 1, maxQueuedSyncs: 1, syncQueueTimeoutMs: 500 });
    open.relays.push(relay);
    const db = 'ab'.repeat(32);
    const first = await silentPeer(relay, db);
    expect(await first.ready).toBe('ready');
    const second = await silentPeer(relay, db);
    await until(async () => (await gauge(relay, 'syncs_queued')) === 1, 5_000, 'second to queue');
    const third = await silentPeer(relay, db);
    // The queue is full: refused at once, to retry later.
    expect(await third.closed).toBe(1013);
    // The second waited past syncQueueTimeoutMs without a slot.
    const started = Date.now();
    expect(await second.closed).toBe(1013);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(relay.metrics.closedOverCapacity).toBe(2);

    // One waiting while the first leaves gets the slot.
    const fourth = await silentPeer(relay, db);
    await until(async () => (await gauge(relay, 'syncs_queued')) === 1, 5_000, 'fourth to queue');
    first.ws.close();
    expect(await fourth.ready).toBe('ready');
    fourth.ws.close();
    await until(async () => (await gauge(relay, 'syncs_active')) === 0, 5_000, 'the slot to be free');

    // A real client syncs, settles and gives its slot back, so the next one is not queued.
    const a = await client(relay, db);
    open.clients.push(a);
    await until(() => a.link.status.state === 'synced', 10_000, 'a to sync');
    await until(async () => (await gauge(relay, 'syncs_active')) === 0, 5_000, 'a to give its slot back');
    const next = await silentPeer(relay, db);
    expect(await next.ready).toBe('ready');
  });

  it('closes a connection that stops reading once its unread output passes maxBufferedBytes', async () => {
    const relay = await memoryRelay({ maxBufferedBytes: 1024 * 1024 });
    open.relays.push(relay);
    const db = 'cd'.repeat(32);
    const slow = await silentPeer(relay, db);
    expect(await slow.ready).toBe('ready');
    // Stop reading: what the relay sends it piles up in the relay's socket buffer.
    (slow.ws as unknown as { _socket: Socket })._socket.pause();
    const talker = await silentPeer(relay, db);
    expect(await talker.ready).toBe('ready');
    // Signals are not credit-bound; 60 KB each, within the talker's own rate limits.
    const signal = JSON.stringify({ t: 'signal', to: slow.author, data: 'x'.repeat(60_000) });
    for (let i = 0; i < 400 && relay.metrics.closedSlowReader === 0; i++) {
      talker.ws.send(signal);
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 50));
    }
    await until(() => relay.metrics.closedSlowReader === 1, 10_000, 'the slow reader to be closed');
    (slow.ws as unknown as { _socket: Socket })._socket.resume();
    expect(await slow.closed).toBe(1013);
    // The talker is untouched.
    expect(talker.ws.readyState).toBe(talker.ws.OPEN);
  });
});
