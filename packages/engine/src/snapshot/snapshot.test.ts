import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMemoryTransportPair,
  createReplica,
  generateIdentity,
  signChange,
  type AuthorId,
  type Identity,
  type Replica,
} from '../index.ts';
import { Materializer } from '../replica/materializer.ts';
import { expectWeftError } from '../testing/storage-conformance-helpers.ts';
import { restartableStorage, type TestStorage } from '../events/storage-kit.test-support.ts';
import { decode, encode } from '../encoding/canonical.ts';
import { createSnapshot } from './create-snapshot.ts';
import { bootstrapFromSnapshot } from './bootstrap.ts';
import { compact } from './compact.ts';

async function sync(a: Replica, b: Replica): Promise<void> {
  const [ta, tb] = createMemoryTransportPair();
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  for (let i = 0; i < 400 && !(sa.settled && sb.settled); i++) await new Promise((r) => setTimeout(r, 5));
  expect(sa.settled && sb.settled).toBe(true);
  sa.close();
  sb.close();
}

const same = (a: Replica, b: Replica) => {
  expect(b.stateHash()).toBe(a.stateHash());
  expect(b.heads()).toEqual(a.heads());
  expect(b.versionVector()).toEqual(a.versionVector());
};

let alice: Identity, bob: Identity, carol: Identity;
const open: Replica[] = [];
async function replica(options: Parameters<typeof createReplica>[0]): Promise<Replica> {
  const r = await createReplica(options);
  open.push(r);
  return r;
}
afterEach(async () => {
  vi.restoreAllMocks();
  for (const r of open.splice(0)) await r.close();
});

/** Alice's database with history from two authors: inserts, updates, a delete, counters. */
async function history(): Promise<{ a: Replica; b: Replica; aStore: TestStorage }> {
  alice ??= await generateIdentity();
  bob ??= await generateIdentity();
  carol ??= await generateIdentity();
  const aStore = restartableStorage();
  const a = await replica({ identity: alice, storage: aStore, create: { name: 'snap' } });
  const b = await replica({ identity: bob, db: a.dbId });
  await a.change((tx) => {
    tx.insert('todos', { title: 'one', done: false }, 't1');
    tx.insert('todos', { title: 'gone' }, 'gone');
    tx.increment('stats', 's', 'n', 5);
  });
  await sync(a, b);
  await b.change((tx) => {
    tx.update('todos', 't1', { done: true });
    tx.increment('stats', 's', 'n', 2);
    tx.addToSet('todos', 't1', 'tags', 'x');
  });
  await a.change((tx) => tx.delete('todos', 'gone'));
  await sync(a, b);
  return { a, b, aStore };
}

describe('cold start', () => {
  it('loads materialized docs without re-applying a single op', async () => {
    const { a, aStore } = await history();
    const spy = vi.spyOn(Materializer.prototype, 'apply');
    const again = await replica({ identity: alice, storage: aStore });
    expect(spy).not.toHaveBeenCalled();
    same(a, again);
    expect(again.get('stats', 's')).toEqual({ id: 's', n: 7 });
  });
});

describe('snapshots', () => {
  it('starts a new replica from a snapshot plus later changes, in both directions', async () => {
    const { a, b } = await history();
    const snap = await createSnapshot(a);
    const cStore = restartableStorage();
    const c = await replica({ identity: carol, db: a.dbId, snapshot: snap, storage: cStore });
    same(a, c);
    expect(c.changes().map((e) => e.sc.hash)).toEqual([a.dbId]); // only genesis has a body
    // Later changes: one concurrent with the snapshot (Bob never saw Alice's delete), one that
    // restores the deleted doc after seeing the delete (its causal path to the tombstone runs
    // through covered changes only), and counters that must not be double-counted.
    await b.change((tx) => tx.increment('stats', 's', 'n', 10));
    await a.change((tx) => tx.update('todos', 'gone', { title: 'back' }));
    await sync(a, b);
    await sync(b, c);
    same(a, c);
    expect(c.get('todos', 'gone')).toEqual({ id: 'gone', title: 'back' });
    expect(c.get('stats', 's')).toEqual({ id: 's', n: 17 });
    await c.change((tx) => tx.insert('todos', { title: 'from carol' }, 'c1'));
    await sync(c, a);
    same(a, c);
    // And the bootstrapped replica reopens from storage alone, still without re-applying ops.
    const spy = vi.spyOn(Materializer.prototype, 'apply');
    const c2 = await replica({ identity: carol, storage: cStore });
    expect(spy).not.toHaveBeenCalled();
    same(a, c2);
  });

  it('embeds chosen change bodies for history', async () => {
    const { a, b } = await history();
    const bobs = (await createSnapshot(a, { include: (e) => e.sc.change.author === b.author })) as Uint8Array;
    const c = await replica({ identity: carol, db: a.dbId, snapshot: bobs });
    expect(c.changes().map((e) => e.sc.change.author)).toEqual([a.author, b.author]);
  });

  it('rebuilds from the snapshot base when a later change is rolled back', async () => {
    const { a } = await history();
    const snap = await createSnapshot(a);
    const c = await replica({ identity: carol, db: a.dbId, snapshot: snap });
    const x = await generateIdentity();
    const xr = await replica({ identity: x, db: a.dbId });
    await sync(a, xr);
    await xr.change((tx) => tx.increment('stats', 's', 'n', 100));
    const honest = xr.changes().at(-1)!.sc;
    const fork = await signChange(x, {
      ...honest.change,
      ops: [{ k: 'inc', c: 'stats', d: 's', p: ['n'], n: 1 }] as unknown as typeof honest.change.ops,
    });
    for (const r of [a, c]) {
      await r.ingest(honest.bytes);
      expect(r.get('stats', 's')).toEqual({ id: 's', n: 107 });
      await r.ingest(fork.bytes).catch(() => undefined); // stored as rejected proof
      // Rule E rolls back both forks; the doc is rebuilt: Alice from the log, Carol from the base.
      expect(r.get('stats', 's')).toEqual({ id: 's', n: 7 });
    }
    expect(c.stateHash()).toBe(a.stateHash());
  });

  it('keeps covered verdicts final: a fork of a covered change is stored as rejected proof only', async () => {
    const { a, b } = await history();
    const c = await replica({ identity: carol, db: a.dbId, snapshot: await createSnapshot(a) });
    const bobsFirst = b.changes().find((e) => e.sc.change.author === b.author)!.sc;
    const fork = await signChange(bob, {
      ...bobsFirst.change,
      ops: [{ k: 'set', c: 'todos', d: 't1', p: ['title'], v: 'forged' }] as unknown as typeof bobsFirst.change.ops,
    });
    const before = c.stateHash();
    await expectWeftError(c.ingest(fork.bytes), 'E_EQUIVOCATION');
    expect(c.stateHash()).toBe(before);
    expect(c.equivocations()).toEqual([{ author: b.author, seq: 1, hashes: [bobsFirst.hash, fork.hash].sort() }]);
  });

  it('refuses tampered, untrusted and foreign snapshots with typed errors', async () => {
    const { a, b } = await history();
    const snap = await createSnapshot(a);
    const [body, hash, signer, sig] = decode(snap) as Uint8Array[];
    const flipped = body!.slice();
    flipped[flipped.length - 5]! ^= 1;
    const storage = () => restartableStorage();
    await expectWeftError(
      bootstrapFromSnapshot(storage(), encode([flipped, hash!, signer!, sig!]), { db: a.dbId }),
      'E_HASH',
    );
    const badSig = sig!.slice();
    badSig[0]! ^= 1;
    await expectWeftError(
      bootstrapFromSnapshot(storage(), encode([body!, hash!, signer!, badSig]), { db: a.dbId }),
      'E_SIGNATURE',
    );
    // Re-hashed and re-signed by Bob, who is not the creator: valid signature, untrusted key.
    const bobSnap = await createSnapshot(a, { identity: bob });
    const err = await expectWeftError(bootstrapFromSnapshot(storage(), bobSnap, { db: a.dbId }), 'E_SIGNATURE');
    expect(err.details).toEqual({ reason: 'untrusted' });
    await expect(bootstrapFromSnapshot(storage(), bobSnap, { db: a.dbId, keys: [b.author as AuthorId] })).resolves.toBe(
      a.dbId,
    );
    const other = await replica({ identity: alice, create: { name: 'other' } });
    await expectWeftError(bootstrapFromSnapshot(storage(), snap, { db: other.dbId }), 'E_WRONG_DB');
    await expectWeftError(bootstrapFromSnapshot(storage(), snap, {}), 'E_INVALID_ARGUMENT');
    await expectWeftError(createReplica({ identity: carol, db: other.dbId, snapshot: snap }), 'E_WRONG_DB');
    const used = storage();
    await bootstrapFromSnapshot(used, snap, { db: a.dbId });
    await expectWeftError(bootstrapFromSnapshot(used, snap, { db: a.dbId }), 'E_INVALID_ARGUMENT');
  });
});

describe('compaction', () => {
  it('prunes nothing until every known peer acknowledged the snapshot', async () => {
    const { a, b } = await history();
    const snap = await createSnapshot(a);
    const stale = { ...b.versionVector(), [a.author]: 1 };
    expect(await compact(a, { snapshot: snap, ackedBy: [b.versionVector(), stale] })).toEqual({
      acknowledged: false,
      pruned: 0,
      kept: 0,
    });
  });

  it('prunes covered records, keeps history on request, and still serves new peers via the snapshot', async () => {
    const { a, b, aStore } = await history();
    const total = a.changes().length;
    const snap = await createSnapshot(a);
    await a.change((tx) => tx.insert('todos', { title: 'after' }, 'after'));
    const result = await compact(a, { snapshot: snap, ackedBy: [b.versionVector()], keepHistory: { last: 1 } });
    expect(result).toEqual({ acknowledged: true, pruned: total - 2, kept: 2 }); // genesis + the newest
    expect((await aStore.scan('changes')).length).toBe(3);
    expect(a.changes()).toHaveLength(3);
    // The compacted replica keeps working: it ingests Bob's later change and reopens intact.
    await b.change((tx) => tx.update('todos', 't1', { title: 'edited' }));
    await sync(a, b);
    same(a, b);
    const spy = vi.spyOn(Materializer.prototype, 'apply');
    const reopened = await replica({ identity: alice, storage: aStore });
    expect(spy).not.toHaveBeenCalled();
    same(b, reopened);
    // A new peer cannot get pruned changes from it; it starts from the snapshot and syncs the rest.
    const c = await replica({ identity: carol, db: a.dbId, snapshot: snap });
    await sync(reopened, c);
    same(b, c);
  });

  it('refuses a snapshot of a past this replica does not share', async () => {
    const { a } = await history();
    const other = await replica({ identity: alice, create: { name: 'x' } });
    await expectWeftError(compact(other, { snapshot: await createSnapshot(a), ackedBy: [] }), 'E_WRONG_DB');
    const b2 = await replica({ identity: bob, db: a.dbId });
    await expectWeftError(compact(b2, { snapshot: await createSnapshot(a), ackedBy: [] }), 'E_INVALID_ARGUMENT');
  });
});
