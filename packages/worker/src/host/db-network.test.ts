import { describe, expect, it } from 'vitest';
import {
  authenticatePeer,
  createReplica,
  defaultEd25519,
  generateIdentity,
  type Identity,
  type SocketLike,
} from '@weft/engine';
import { expectWeftError } from '@weft/engine/testing';
import { DbNetwork } from './db-network.ts';
import { messagePortPeer } from '../transport/message-port-peer.ts';
import { simplePeerTransport } from '../transport/simple-peer-transport.ts';

const noSocket = (): SocketLike => {
  throw new Error('no relay in this test');
};

/** The far end of a piped channel: the remote browser's framed, authenticated transport. */
async function remoteEnd(port: MessagePort, identity: Identity, db: string, peer: string) {
  return authenticatePeer(simplePeerTransport(messagePortPeer(port)), {
    identity,
    port: await defaultEd25519(),
    db,
    peer,
    random: (n) => crypto.getRandomValues(new Uint8Array(n)),
  });
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('DbNetwork', () => {
  it('syncs over a data channel piped through a MessagePort, and reports it as a webrtc peer', async () => {
    const ida = await generateIdentity();
    const a = await createReplica({ identity: ida, create: { name: 'n' } });
    const idb = await generateIdentity();
    const b = await createReplica({ identity: idb, db: a.dbId });
    let changed = 0;
    const net = new DbNetwork('n', a, ida, noSocket, () => changed++);
    expect(net.status()).toMatchObject({ state: 'local', peers: [] });
    const { port1, port2 } = new MessageChannel();
    net.attachPeer(idb.author, port1);
    // The other end stands for the page piping to a remote browser that runs the same framing.
    const authed = await remoteEnd(port2, idb, a.dbId, ida.author);
    const remote = b.sync(authed);
    await a.change((tx) => void tx.insert('notes', { title: 'a' }, 'na'));
    await b.change((tx) => void tx.insert('notes', { title: 'b' }, 'nb'));
    await until(() => a.stateHash() === b.stateHash() && a.get('notes', 'nb') !== undefined);
    const s = net.status();
    expect(s.state).toBe('online');
    expect(s.peers).toEqual([expect.objectContaining({ id: idb.author, transport: 'webrtc' })]);
    expect(changed).toBeGreaterThan(0);
    remote.close();
    await until(() => net.status().peers.length === 0);
    net.close();
  });

  it('ends the channels of a network tab that is gone', async () => {
    const ida = await generateIdentity();
    const a = await createReplica({ identity: ida, create: { name: 'n' } });
    const idb = await generateIdentity();
    const net = new DbNetwork('n', a, ida, noSocket, () => undefined);
    const tab = (): void => undefined;
    net.watch(tab);
    const { port1, port2 } = new MessageChannel();
    net.attachPeer(idb.author, port1, tab);
    const peerB = await createReplica({ identity: idb, db: a.dbId });
    const authed = await remoteEnd(port2, idb, a.dbId, ida.author);
    peerB.sync(authed);
    await until(() => net.status().peers.length === 1);
    net.unwatch(tab);
    await until(() => net.status().peers.length === 0);
    net.close();
  });

  it('rejects bad peers, ports and signals with typed errors', async () => {
    const id = await generateIdentity();
    const r = await createReplica({ identity: id, create: { name: 'n' } });
    const net = new DbNetwork('n', r, id, noSocket, () => undefined);
    await expectWeftError(
      Promise.resolve().then(() => net.attachPeer('nope', new MessageChannel().port1)),
      'E_INVALID_ARGUMENT',
    );
    await expectWeftError(
      Promise.resolve().then(() => net.attachPeer(id.author, {} as MessagePort)),
      'E_INVALID_ARGUMENT',
    );
    await expectWeftError(
      Promise.resolve().then(() => net.signal('x', {})),
      'E_INVALID_ARGUMENT',
    );
    await expectWeftError(
      Promise.resolve().then(() => net.signal(id.author, {})),
      'E_CLOSED',
    );
    await expectWeftError(
      Promise.resolve().then(() => net.linkRelay('ftp://x')),
      'E_INVALID_ARGUMENT',
    );
    net.close();
  });
});
