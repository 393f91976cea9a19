import { describe, expect, it } from 'vitest';
import { createMemoryStorage, createReplica, generateIdentity, signChange, type Replica } from '../index.ts';
import type { Identity } from '../crypto/identity.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import { expectWeftError, Rng, seedsToRun, withSeed } from '../testing/index.ts';
import { utf8 } from '../bytes.ts';
import type { Change } from '../change/change.ts';
import { sealOpsOf } from './seal-ops.ts';
import { createSnapshot } from '../snapshot/create-snapshot.ts';

/** Every key and value a storage adapter was ever asked to write, for plaintext searches. */
function recording(): { storage: StorageAdapter; written: Uint8Array[] } {
  const inner = createMemoryStorage();
  const written: Uint8Array[] = [];
  const storage: StorageAdapter = Object.create(inner) as StorageAdapter;
  storage.write = (ops: readonly WriteOp[], opts?: Parameters<StorageAdapter['write']>[1]) => {
    for (const op of ops) {
      if (op.type === 'put') written.push(op.key, op.value);
    }
    return inner.write(ops, opts);
  };
  return { storage, written };
}

function contains(chunks: readonly Uint8Array[], marker: string): boolean {
  const m = utf8(marker);
  return chunks.some((b) => {
    outer: for (let i = 0; i + m.length <= b.length; i++) {
      for (let j = 0; j < m.length; j++) if (b[i + j] !== m[j]) continue outer;
      return true;
    }
    return false;
  });
}

const wire = (r: Replica): Uint8Array[] => r.changes().map((e) => e.sc.bytes);

async function deliver(from: Replica, to: Replica): Promise<void> {
  await to.ingestMany(wire(from));
}

describe('encrypted database', () => {
  it('members read; a store-only relay and a non-member store only ciphertext', async () => {
    const marker = 'MARKER-7f3c-plaintext';
    const alice = await createReplica({ identity: await generateIdentity(), create: { name: 'n', encrypted: true } });
    await alice.change((tx) => tx.insert('notes', { title: marker }, 'n1'));
    const bobId = await generateIdentity();
    await alice.shareKey([bobId.author]);
    const bob = await createReplica({ identity: bobId, db: alice.dbId });
    await deliver(alice, bob);
    expect(bob.get('notes', 'n1')).toEqual({ id: 'n1', title: marker });
    expect(bob.stateHash()).toBe(alice.stateHash());

    const relayStore = recording();
    const relay = await createReplica({
      identity: await generateIdentity(),
      db: alice.dbId,
      storage: relayStore.storage,
      storeOnly: true,
    });
    const outsiderStore = recording();
    const outsider = await createReplica({
      identity: await generateIdentity(),
      db: alice.dbId,
      storage: outsiderStore.storage,
    });
    await deliver(alice, relay);
    await deliver(alice, outsider);
    expect(relay.heads()).toEqual(alice.heads());
    expect(outsider.heads()).toEqual(alice.heads());
    expect(outsider.list('notes')).toEqual([]);
    // Every change is stored as applied: an opaque change is judged on its clear part.
    expect(outsider.changes().every((e) => e.status === 'applied')).toBe(true);
    expect(contains(relayStore.written, marker)).toBe(false);
    expect(contains(outsiderStore.written, marker)).toBe(false);
    expect(contains(wire(alice), marker)).toBe(false);
    expect(relayStore.written.length).toBeGreaterThan(0);

    // Bob reads through the relay alone, too.
    const bob2 = await createReplica({ identity: bobId, db: alice.dbId });
    await deliver(relay, bob2);
    expect(bob2.get('notes', 'n1')?.title).toBe(marker);
  });

  it('reopens from storage, decrypting again, and keeps writing sealed', async () => {
    const storage = createMemoryStorage();
    const id = await generateIdentity();
    const a = await createReplica({ identity: id, storage, create: { name: 'n', encrypted: true } });
    await a.change((tx) => tx.insert('notes', { title: 'one' }, 'n1'));
    const again = await createReplica({ identity: id, storage });
    expect(again.get('notes', 'n1')?.title).toBe('one');
    expect(again.getChange(again.heads()[0]!)!.sc.change.ops).toHaveLength(1);
    await again.change((tx) => tx.update('notes', 'n1', { title: 'two' }));
    const raw = again.changes().map((e) => e.sc.bytes);
    expect(contains(raw, 'two')).toBe(false);
    expect(again.get('notes', 'n1')?.title).toBe('two');
  });

  it('members converge whatever the delivery order, late keys included', async () => {
    for (const seed of seedsToRun(4))
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const ids = [await generateIdentity(), await generateIdentity(), await generateIdentity()];
        const alice = await createReplica({ identity: ids[0]!, create: { name: 'n', encrypted: true } });
        const bob = await createReplica({ identity: ids[1]!, db: alice.dbId });
        const carol = await createReplica({ identity: ids[2]!, db: alice.dbId });
        // Written before Bob and Carol get the key: they hold these changes opaque until it comes.
        await alice.change((tx) => tx.insert('notes', { title: 'early', n: 1 }, 'n1'));
        await alice.change((tx) => tx.insert('notes', { title: 'member' }, 'm'), { shareKey: [ids[1]!.author] });
        await bob.ingestMany(wire(alice));
        await bob.change((tx) => tx.update('notes', 'n1', { title: 'bob' }));
        await bob.shareKey([ids[2]!.author]);
        for (let i = 0; i < 6; i++) {
          const w = rng.pick([alice, bob]);
          await w.change((tx) => tx.update('notes', 'n1', { n: rng.int(100) }));
          if (rng.bool()) await (w === alice ? bob : alice).ingestMany(wire(w));
        }
        await alice.rotateKey([]);
        await alice.change((tx) => tx.insert('notes', { title: 'after rotation' }, 'n2'));
        const all = [...new Map([...alice.changes(), ...bob.changes()].map((e) => [e.sc.hash, e.sc.bytes])).values()];
        const hashes: string[] = [];
        for (const id of ids) {
          const fresh = await createReplica({ identity: id, db: alice.dbId });
          const order = rng.shuffle(all);
          for (let i = 0; i < order.length; i += 3) await fresh.ingestMany(order.slice(i, i + 3));
          expect(fresh.pendingCount).toBe(0);
          expect(fresh.get('notes', 'n2')?.title).toBe('after rotation');
          hashes.push(fresh.stateHash());
        }
        await carol.ingestMany(rng.shuffle(all));
        hashes.push(carol.stateHash());
        expect(new Set(hashes).size).toBe(1);
        expect(carol.changes().every((e) => e.status === 'applied')).toBe(true);
      });
  });

  it('a revoked member cannot read what is written after the rotation', async () => {
    const [aId, bId, cId] = [await generateIdentity(), await generateIdentity(), await generateIdentity()];
    const alice = await createReplica({ identity: aId, create: { name: 'n', encrypted: true } });
    await alice.shareKey([bId.author, cId.author]);
    await alice.change((tx) => tx.insert('notes', { title: 'before' }, 'n1'));
    const bob = await createReplica({ identity: bId, db: alice.dbId });
    const carol = await createReplica({ identity: cId, db: alice.dbId });
    await deliver(alice, bob);
    expect(bob.get('notes', 'n1')?.title).toBe('before');
    // Revoke Bob in the same change that rotates the key.
    await alice.change((tx) => tx.insert('log', { what: 'revoked bob' }, 'r'), {
      rotateKey: { exclude: [bId.author] },
    });
    await alice.change((tx) => tx.insert('notes', { title: 'SECRET-after' }, 'n2'));
    await deliver(alice, bob);
    await deliver(alice, carol);
    expect(carol.get('notes', 'n2')?.title).toBe('SECRET-after');
    expect(carol.get('log', 'r')?.what).toBe('revoked bob');
    expect(bob.get('notes', 'n2')).toBeUndefined();
    expect(bob.get('log', 'r')).toBeUndefined();
    expect(bob.get('notes', 'n1')?.title).toBe('before');
    // Bob can still write with the old epoch; the members read it.
    await bob.change((tx) => tx.update('notes', 'n1', { title: 'from bob' }));
    await deliver(bob, carol);
    expect(carol.get('notes', 'n1')?.title).toBe('from bob');
  });

  it('rejects garbage ciphertext from a member and clear content, alike on every member', async () => {
    const aId = await generateIdentity();
    const mallory = await generateIdentity();
    const alice = await createReplica({ identity: aId, create: { name: 'n', encrypted: true } });
    await alice.shareKey([mallory.author]);
    const m = await createReplica({ identity: mallory, db: alice.dbId });
    await deliver(alice, m);
    await m.change((tx) => tx.insert('notes', { title: 'fine' }, 'n1'));
    const good = m.getChange(m.heads()[0]!)!.sc;
    const enc = sealOpsOf((await import('../change/sign.ts')).parseChange(good.bytes).change as Change).enc!;
    const base: Change = { ...good.change, seq: good.change.seq + 1, deps: [good.hash] };
    const garbage = await signChange(mallory, {
      ...base,
      ops: [{ ...enc, x: enc.x.map((b) => b ^ 0x5a) }] as unknown as Change['ops'],
    });
    const clear = await signChange(mallory, {
      ...base,
      seq: base.seq + 1,
      deps: [garbage.hash],
      ops: [{ k: 'set', c: 'notes', d: 'n1', p: ['title'], v: 'clear text' }] as unknown as Change['ops'],
    });
    await alice.ingest(good.bytes);
    await expectWeftError(alice.ingest(garbage.bytes), 'E_ENCRYPTION');
    await expectWeftError(alice.ingest(clear.bytes), 'E_ENCRYPTION');
    expect(alice.get('notes', 'n1')?.title).toBe('fine');
    expect(alice.getChange(garbage.hash)?.status).toBe('rejected');
    expect(alice.getChange(garbage.hash)?.reason).toBe('E_ENCRYPTION');
  });

  it('bad input is a typed error', async () => {
    const plain = await createReplica({ identity: await generateIdentity(), create: { name: 'n' } });
    await expectWeftError(plain.shareKey(['a'.repeat(64)]), 'E_INVALID_ARGUMENT');
    await expectWeftError(plain.rotateKey([]), 'E_INVALID_ARGUMENT');
    const enc = await createReplica({ identity: await generateIdentity(), create: { name: 'n', encrypted: true } });
    await expectWeftError(enc.shareKey(['not an author']), 'E_INVALID_ARGUMENT');
    await expectWeftError(enc.shareKey('x' as unknown as string[]), 'E_INVALID_ARGUMENT');
    // Excluding itself from an epoch nobody else holds leaves no member.
    await expectWeftError(enc.rotateKey([enc.author]), 'E_INVALID_ARGUMENT');
    expect(await enc.shareKey([enc.author])).toBeUndefined();
    // A snapshot would hold the documents in clear.
    await expectWeftError(createSnapshot(enc), 'E_INVALID_ARGUMENT');
    // Seal ops in a clear database are refused by its members.
    const other = await createReplica({ identity: await generateIdentity(), create: { name: 'o', encrypted: true } });
    const sealed = other.getChange(other.heads()[0]!)!;
    expect(sealed.sc.change.ops).toHaveLength(1);
    const ident: Identity = await generateIdentity();
    const forged = await signChange(ident, {
      v: 1,
      db: plain.dbId,
      author: ident.author,
      seq: 1,
      deps: plain.heads(),
      hlc: { ms: 1, c: 0 },
      schema: null,
      ops: [{ k: 'keys', e: new Uint8Array(16), n: false, w: [[new Uint8Array(32), new Uint8Array(80)]] }] as never,
    });
    await expectWeftError(plain.ingest(forged.bytes), 'E_ENCRYPTION');
  });
});
