import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  createMemoryTransportPair,
  createReplica,
  defineSchema,
  collection,
  string,
  generateIdentity,
  signChange,
  type Replica,
} from '../index.ts';
import { expectWeftError } from '../testing/index.ts';

async function syncUntilSettled(a: Replica, b: Replica): Promise<void> {
  const [ta, tb] = createMemoryTransportPair();
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  for (let i = 0; i < 400 && !(sa.settled && sb.settled); i++) await new Promise((r) => setTimeout(r, 5));
  expect(sa.settled && sb.settled).toBe(true);
  sa.close();
  sb.close();
}

describe('store-only replica (the relay without a schema)', () => {
  it('stores and forwards every change without document state, and survives a reopen', async () => {
    const alice = await createReplica({ identity: await generateIdentity(), create: { name: 'n' } });
    for (let i = 0; i < 20; i++) await alice.change((tx) => tx.insert('notes', { title: `t${i}` }, `d${i}`));
    const storage = createMemoryStorage();
    const relayId = await generateIdentity();
    const relay = await createReplica({ identity: relayId, db: alice.dbId, storage, storeOnly: true });
    await syncUntilSettled(alice, relay);
    expect(relay.heads()).toEqual(alice.heads());
    expect(relay.versionVector()).toEqual(alice.versionVector());
    // No document state, and no decoded ops kept in memory: only the wire bytes.
    expect(relay.list('notes')).toEqual([]);
    const last = relay.getChange(alice.heads()[0]!)!;
    expect(last.sc.change.ops).toEqual([]);
    expect(last.sc.bytes).toEqual(alice.getChange(last.sc.hash)!.sc.bytes);

    // Bob joins through the relay alone and gets the full, verifiable history.
    const bob = await createReplica({ identity: await generateIdentity(), db: alice.dbId });
    await syncUntilSettled(relay, bob);
    expect(bob.stateHash()).toBe(alice.stateHash());
    expect(bob.get('notes', 'd7')).toEqual({ id: 'd7', title: 't7' });

    // Opened again from its storage: same log, still lean, still no docs.
    const again = await createReplica({ identity: relayId, storage, storeOnly: true });
    expect(again.heads()).toEqual(alice.heads());
    expect(again.changes().length).toBe(alice.changes().length);
    expect(again.changes().every((e) => e.sc.change.ops.length === 0)).toBe(true);
    expect(again.list('notes')).toEqual([]);
  });

  it('still verifies: a forged or out-of-chain change is refused and not stored', async () => {
    const alice = await createReplica({ identity: await generateIdentity(), create: { name: 'n' } });
    await alice.change((tx) => tx.insert('notes', { title: 'a' }, 'x'));
    const relay = await createReplica({ identity: await generateIdentity(), db: alice.dbId, storeOnly: true });
    await syncUntilSettled(alice, relay);
    const head = alice.getChange(alice.heads()[0]!)!.sc;
    // Alice's next change, signed by someone else.
    const mallory = await generateIdentity();
    const posing = {
      publicKey: alice.identity.publicKey,
      author: alice.identity.author,
      sign: (m: Uint8Array) => mallory.sign(m),
    };
    const forged = await signChange(posing, { ...head.change, seq: head.change.seq + 1, deps: [head.hash] });
    const [f] = await relay.ingestMany([forged.bytes]);
    expect(f!.status).toBe('invalid');
    expect(f!.code).toBe('E_SIGNATURE');
    // A validly signed change that skips the author's chain (seq + 2).
    const skipping = await signChange(alice.identity, { ...head.change, seq: head.change.seq + 2, deps: [head.hash] });
    const [r] = await relay.ingestMany([skipping.bytes]);
    expect(r!.status).toBe('invalid');
    expect(r!.code).toBe('E_SEQ');
    expect(relay.changes().length).toBe(alice.changes().length);
  });

  it('refuses to write, and refuses options that need document state', async () => {
    const alice = await createReplica({ identity: await generateIdentity(), create: { name: 'n' } });
    const relay = await createReplica({ identity: await generateIdentity(), db: alice.dbId, storeOnly: true });
    await expectWeftError(
      relay.change((tx) => tx.insert('notes', { title: 'no' })),
      'E_INVALID_ARGUMENT',
    );
    expect(() => relay.editText('notes', 'x', 'body')).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    const schema = defineSchema({ notes: collection({ title: string() }) });
    await expectWeftError(
      createReplica({ identity: await generateIdentity(), db: alice.dbId, storeOnly: true, schema }),
      'E_INVALID_ARGUMENT',
    );
  });
});
