import { describe, expect, it } from 'vitest';
import { authenticatePeer, createReplica, defaultEd25519, generateIdentity, type SocketLike } from '@weft/engine';
import { DbNetwork } from './db-network.ts';
import { messagePortPeer } from '../transport/message-port-peer.ts';
import { simplePeerTransport } from '../transport/simple-peer-transport.ts';

const noSocket = (): SocketLike => {
  throw new Error('no relay in this test');
};

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('DbNetwork status', () => {
  it("reports each peer's lastSeen (when its bytes last grew) and the log's change count", async () => {
    const ida = await generateIdentity();
    const a = await createReplica({ identity: ida, create: { name: 'n' } });
    const idb = await generateIdentity();
    const b = await createReplica({ identity: idb, db: a.dbId });
    const net = new DbNetwork('n', a, ida, noSocket, () => undefined);
    const { port1, port2 } = new MessageChannel();
    net.attachPeer(idb.author, port1);
    const authed = await authenticatePeer(simplePeerTransport(messagePortPeer(port2)), {
      identity: idb,
      port: await defaultEd25519(),
      db: a.dbId,
      peer: ida.author,
      random: (n) => crypto.getRandomValues(new Uint8Array(n)),
    });
    const remote = b.sync(authed);
    const before = Date.now();
    await b.change((tx) => void tx.insert('notes', { title: 'b' }, 'nb'));
    await until(() => a.get('notes', 'nb') !== undefined);
    const first = net.status();
    expect(first.changes).toBe(a.changes().length);
    const seen = first.peers[0]!.lastSeen!;
    expect(seen).toBeGreaterThanOrEqual(before);
    expect(seen).toBeLessThanOrEqual(Date.now());
    // Nothing new arrived: the time stays; new bytes move it.
    expect(net.status().peers[0]!.lastSeen).toBe(seen);
    await new Promise((r) => setTimeout(r, 5));
    await b.change((tx) => void tx.insert('notes', { title: 'b2' }, 'nb2'));
    await until(() => a.get('notes', 'nb2') !== undefined);
    expect(net.status().peers[0]!.lastSeen).toBeGreaterThan(seen);
    remote.close();
    net.close();
  });
});
