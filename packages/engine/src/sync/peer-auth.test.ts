import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { encode } from '../encoding/canonical.ts';
import { defaultEd25519, generateIdentity } from '../crypto/identity.ts';
import { createReplica } from '../replica/open-replica.ts';
import { createMemoryTransportPair } from './memory-transport.ts';
import { authenticatePeer } from './peer-auth.ts';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const DB = 'd'.repeat(64);

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return (err as WeftError).code;
  }
  return 'none';
}

describe('peer authentication', () => {
  it('lets two peers that hold their keys sync over the authenticated channel', async () => {
    const port = await defaultEd25519();
    const ia = await generateIdentity();
    const ib = await generateIdentity();
    const a = await createReplica({ identity: ia, create: { name: 'p' } });
    const b = await createReplica({ identity: ib, db: a.dbId });
    await a.change((tx) => void tx.insert('notes', { t: 1 }, 'n1'));
    const [ta, tb] = createMemoryTransportPair();
    const [xa, xb] = await Promise.all([
      authenticatePeer(ta, { identity: ia, port, db: a.dbId, peer: ib.author, random }),
      authenticatePeer(tb, { identity: ib, port, db: a.dbId, peer: ia.author, random }),
    ]);
    const sa = a.sync(xa);
    const sb = b.sync(xb);
    while (b.stateHash() !== a.stateHash()) await new Promise((r) => setTimeout(r, 10));
    expect(b.get('notes', 'n1')).toBeDefined();
    sa.close();
    sb.close();
  });

  it('refuses a peer that is not the author it was dialed as, and garbage, and silence', async () => {
    const port = await defaultEd25519();
    const ia = await generateIdentity();
    const ib = await generateIdentity();
    const mallory = await generateIdentity();
    const [ta, tm] = createMemoryTransportPair();
    const a = authenticatePeer(ta, { identity: ia, port, db: DB, peer: ib.author, random });
    void authenticatePeer(tm, { identity: mallory, port, db: DB, peer: ia.author, random }).catch(() => undefined);
    expect(await codeOf(a)).toBe('E_SIGNATURE');

    // Mallory claims ib's id but cannot sign for it.
    const [t1, t2] = createMemoryTransportPair();
    const a2 = authenticatePeer(t1, { identity: ia, port, db: DB, peer: ib.author, random });
    t2.onMessage(() => undefined);
    t2.send(encode({ t: 'peer-challenge', nonce: random(32) }));
    t2.send(encode({ t: 'peer-proof', author: ib.author, sig: await mallory.sign(new Uint8Array([1])) }));
    expect(await codeOf(a2)).toBe('E_SIGNATURE');

    const [g1, g2] = createMemoryTransportPair();
    const a3 = authenticatePeer(g1, { identity: ia, port, db: DB, peer: ib.author, random });
    g2.onMessage(() => undefined);
    g2.send(new Uint8Array([0xff, 0x00]));
    expect(await codeOf(a3)).toBe('E_PROTOCOL');

    const [s1, s2] = createMemoryTransportPair();
    s2.onMessage(() => undefined);
    expect(
      await codeOf(authenticatePeer(s1, { identity: ia, port, db: DB, peer: ib.author, random, timeoutMs: 50 })),
    ).toBe('E_PROTOCOL');
  });
});
