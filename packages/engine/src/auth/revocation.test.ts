/**
 * Revocation scenarios: every delivery order of a small history with mutual concurrent
 * revocations gives one result; clock skew changes no verdict; and a user revoked while offline
 * for 30 days has every later write rejected on every replica, while everyone else's survive.
 */
import { describe, expect, it } from 'vitest';
import { defaultEd25519 } from '../crypto/identity.ts';
import { memoizedVerifier } from '../testing/replica-cluster.ts';
import { seededIdentity } from '../testing/replica-cluster.ts';
import { Rng } from '../testing/random.ts';
import type { Replica } from '../replica/replica.ts';
import type { Identity } from '../crypto/identity.ts';
import { createReplica } from '../replica/replica.ts';
import { authReplica, deliver } from './auth-test-kit.test-support.ts';
import type { DocId } from '../ids.ts';

const DAY = 24 * 60 * 60 * 1000;

function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  const out: T[][] = [];
  xs.forEach((x, i) => {
    for (const rest of permutations([...xs.slice(0, i), ...xs.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

const validSet = (r: Replica) =>
  r
    .changes()
    .filter((e) => e.status === 'applied')
    .map((e) => `${e.sc.change.author.slice(0, 6)}:${e.sc.change.seq}`)
    .sort()
    .join(',');

describe('revocation', () => {
  it('every delivery order of a 7-change history with mutual concurrent revocations agrees', async () => {
    const rng = new Rng(7);
    const port = memoizedVerifier(await defaultEd25519());
    const ids = [] as Identity[];
    for (let i = 0; i < 4; i++) ids.push(await seededIdentity(rng, port));
    const [idRoot, idA, idB, idC] = ids as [Identity, Identity, Identity, Identity];
    const opts = { ed25519: port };
    // Unvalidated author replicas sign the history; judges validate it.
    const r = await createReplica({ identity: idRoot, create: { name: 'perm' }, ...opts });
    await r.change((tx) => {
      tx.insert('members', { user: idA.author, role: 'owner' }, 'mA');
      tx.insert('members', { user: idB.author, role: 'owner' }, 'mB');
    }); // 1: root makes A and B owners
    const ra = await createReplica({ identity: idA, db: r.dbId, ...opts });
    const rb = await createReplica({ identity: idB, db: r.dbId, ...opts });
    const rc = await createReplica({ identity: idC, db: r.dbId, ...opts });
    for (const x of [ra, rb, rc]) await deliver(x, r);
    await ra.change((tx) => tx.insert('members', { user: idC.author, role: 'editor' }, 'mC')); // 2: A makes C editor
    await deliver(rb, ra);
    await deliver(rc, ra);
    // Concurrently: A revokes B, B revokes A, C writes, B writes.
    await ra.change((tx) => tx.delete('members', 'mB')); // 3
    await rb.change((tx) => tx.delete('members', 'mA')); // 4
    await rc.change((tx) => tx.insert('notes', { text: 'by C' }, 'nc')); // 5
    await rb.change((tx) => tx.insert('notes', { text: 'by B' }, 'nb')); // 6
    const all = new Map<string, Uint8Array>();
    for (const x of [r, ra, rb, rc]) for (const e of x.changes()) all.set(e.sc.hash, e.sc.bytes);
    const genesis = r.changes()[0]!.sc.bytes;
    const rest = [...all.values()].filter((bytes) => bytes !== genesis && !sameBytes(bytes, genesis));
    expect(rest).toHaveLength(6); // plus genesis = 7 changes
    const outcomes = new Set<string>();
    const perms = permutations([genesis, ...rest]);
    expect(perms).toHaveLength(5040);
    for (const order of perms) {
      const judge = await authReplica(idC, r.dbId, opts);
      for (const bytes of order) await judge.ingestMany([bytes]);
      outcomes.add(`${validSet(judge)}|${judge.stateHash()}`);
    }
    expect(outcomes.size).toBe(1);
    // Exactly one of the two mutual revocations stands.
    const judge = await authReplica(idC, r.dbId, opts);
    await judge.ingestMany([genesis, ...rest]);
    const members = judge
      .list('members')
      .map((m) => m.id)
      .sort();
    expect(members.includes('mA' as DocId) !== members.includes('mB' as DocId)).toBe(true);
  }, 120_000);

  it('back-dated HLCs and ±30 days of clock skew on a revoked author change no verdict', async () => {
    const outcomes: string[] = [];
    for (const skew of [0, -30 * DAY, 30 * DAY, -1e12]) {
      const rng = new Rng(11);
      const port = memoizedVerifier(await defaultEd25519());
      const [idRoot, idBob] = [await seededIdentity(rng, port), await seededIdentity(rng, port)];
      const now = 1_700_000_000_000;
      const root = await authReplica(idRoot, undefined, {
        ed25519: port,
        wallClock: () => now,
        random: (n) => rng.bytes(n),
      });
      const bob = await createReplica({
        identity: idBob,
        db: root.dbId,
        ed25519: port,
        wallClock: () => Math.max(0, now + skew),
      });
      await root.change((tx) => tx.insert('members', { user: idBob.author, role: 'editor' }, 'm'));
      await deliver(bob, root);
      await bob.change((tx) => tx.insert('notes', { text: 'ok' }, 'n1'));
      await deliver(root, bob);
      await root.change((tx) => tx.delete('members', 'm'));
      await bob.change((tx) => tx.insert('notes', { text: 'late' }, 'n2'));
      await deliver(root, bob);
      outcomes.push(
        `${root.get('notes', 'n1')?.text}|${root.get('notes', 'n2')?.text}|${validSet(root).split(',').length}`,
      );
    }
    expect(new Set(outcomes).size).toBe(1);
    expect(outcomes[0]).toBe('ok|undefined|4');
  });

  it('a user revoked on day 3 while offline for 30 days: their later writes are rejected everywhere', async () => {
    let day = 0;
    const clock = () => 1_700_000_000_000 + day * DAY;
    const port = memoizedVerifier(await defaultEd25519());
    const rng = new Rng(3);
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await seededIdentity(rng, port));
    const [idRoot, idEve, idAnn] = ids as [Identity, Identity, Identity];
    const root = await authReplica(idRoot, undefined, { ed25519: port, wallClock: clock });
    const eve = await authReplica(idEve, root.dbId, { ed25519: port, wallClock: clock });
    const ann = await authReplica(idAnn, root.dbId, { ed25519: port, wallClock: clock });
    await root.change((tx) => {
      tx.insert('members', { user: idEve.author, role: 'editor' }, 'm-eve');
      tx.insert('members', { user: idAnn.author, role: 'editor' }, 'm-ann');
    });
    await deliver(eve, root);
    await deliver(ann, root);
    await eve.change((tx) => tx.insert('notes', { text: 'eve day 0' }, 'e0'));
    await deliver(root, eve);
    await deliver(ann, root);
    // Eve goes offline and keeps writing for 30 days; on day 3 the root revokes her.
    for (day = 1; day <= 30; day++) {
      await eve.change((tx) => tx.insert('notes', { text: `eve day ${day}` }, `e${day}`));
      if (day === 3) await root.change((tx) => tx.delete('members', 'm-eve'));
      if (day % 5 === 0) {
        await ann.change((tx) => tx.insert('notes', { text: `ann day ${day}` }, `a${day}`));
        await deliver(root, ann);
        await deliver(ann, root);
      }
    }
    // Eve reconnects.
    await deliver(root, eve);
    await deliver(ann, eve);
    await deliver(eve, root);
    await deliver(eve, ann);
    for (const r of [root, eve, ann]) {
      expect(r.get('notes', 'e0')?.text).toBe('eve day 0');
      // Written on day 1, before the revocation by the wall clock, but causally concurrent with it.
      expect(r.get('notes', 'e1')).toBeUndefined();
      expect(r.get('notes', 'a30')?.text).toBe('ann day 30');
      expect(r.stateHash()).toBe(root.stateHash());
    }
    // Every write of Eve's made while offline is concurrent with the day-3 revocation: rejected.
    const eveWrites = root.changes().filter((e) => e.sc.change.author === idEve.author);
    const rejected = eveWrites.filter((e) => e.status === 'rejected');
    expect(rejected.every((e) => e.reason === 'E_PERMISSION')).toBe(true);
    expect(rejected.length).toBe(30);
  });
});

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
