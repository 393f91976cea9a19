import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import type { Replica } from '../replica/replica.ts';
import type { Effect } from '../replica/effects.ts';
import { authReplica, deliver } from './auth-test-kit.test-support.ts';

async function world() {
  const [root, bob, carol] = await Promise.all([generateIdentity(), generateIdentity(), generateIdentity()]);
  const r = await authReplica(root, undefined);
  const b = await authReplica(bob, r.dbId);
  const c = await authReplica(carol, r.dbId);
  return { root, bob, carol, r, b, c };
}

const validOf = (x: Replica) =>
  x
    .changes()
    .filter((e) => e.status === 'applied')
    .map((e) => e.sc.hash)
    .sort();

describe('permissions', () => {
  it('a granted editor may write; an outsider is rejected remotely and refused locally before signing', async () => {
    const { bob, r, b, c } = await world();
    await r.change((tx) => tx.insert('members', { user: bob.author, role: 'editor' }, 'm-bob'));
    await deliver(b, r);
    await b.change((tx) => tx.insert('notes', { text: 'by bob' }, 'n1'));
    await deliver(r, b);
    expect(r.get('notes', 'n1')?.text).toBe('by bob');

    await deliver(c, r);
    const before = c.changes().length;
    await expect(c.change((tx) => tx.insert('notes', { text: 'by carol' }, 'n2'))).rejects.toMatchObject({
      code: 'E_PERMISSION',
    });
    expect(c.changes().length).toBe(before); // nothing signed or stored
    expect(c.get('notes', 'n2')).toBeUndefined();
  });

  it('rejects a remote change that breaks the rules with E_PERMISSION, state unchanged', async () => {
    const { carol, r, c } = await world();
    await deliver(c, r);
    // Carol's replica doesn't enforce (she could run a modified client): build with no validator.
    const { createReplica } = await import('../replica/replica.ts');
    const rogue = await createReplica({ identity: carol, db: r.dbId });
    await deliver(rogue, r);
    await rogue.change((tx) => tx.insert('notes', { text: 'forged' }, 'n9'));
    const hash = r.stateHash();
    const forged = rogue.changes().at(-1)!;
    await expect(r.ingest(forged.sc.bytes)).rejects.toMatchObject({ code: 'E_PERMISSION' });
    expect(r.stateHash()).toBe(hash);
    expect(r.getChange(forged.sc.hash)).toMatchObject({ status: 'rejected', reason: 'E_PERMISSION' });
    // Non-members may not grant themselves a role either.
    await rogue.change((tx) => tx.insert('members', { user: carol.author, role: 'owner' }, 'm-c'));
    await expect(r.ingest(rogue.changes().at(-1)!.sc.bytes)).rejects.toMatchObject({ code: 'E_PERMISSION' });
  });

  it('revocation wins over concurrent writes, in either delivery order, with rollback reported', async () => {
    const { bob, r, b, c } = await world();
    await r.change((tx) => tx.insert('members', { user: bob.author, role: 'editor' }, 'm-bob'));
    await deliver(b, r);
    await deliver(c, r);
    await b.change((tx) => tx.insert('notes', { text: 'before' }, 'n0'));
    await deliver(r, b);
    await deliver(c, b);
    // Concurrently: root revokes bob; bob (not having seen it) keeps writing.
    await r.change((tx) => tx.delete('members', 'm-bob'));
    for (let i = 1; i <= 3; i++) await b.change((tx) => tx.insert('notes', { text: `offline ${i}` }, `n${i}`));

    // c sees bob's writes first, then the revocation: they are rolled back.
    const effects: Effect[] = [];
    c.onCommit((e) => effects.push(...e.effects));
    await deliver(c, b);
    expect(c.get('notes', 'n3')?.text).toBe('offline 3');
    await deliver(c, r);
    expect(c.get('notes', 'n3')).toBeUndefined();
    expect(effects.filter((e) => e.type === 'rolledBack')).toHaveLength(3);
    expect(c.get('notes', 'n0')?.text).toBe('before'); // written while bob was a member: survives

    // r sees the revocation first (its own), then bob's writes: rejected on arrival.
    await deliver(r, b);
    await deliver(b, r);
    for (const x of [r, b, c]) {
      expect(x.get('notes', 'n1')).toBeUndefined();
      expect(x.get('notes', 'n0')?.text).toBe('before');
    }
    expect(r.stateHash()).toBe(c.stateHash());
    expect(b.stateHash()).toBe(c.stateHash());
    expect(validOf(r)).toEqual(validOf(c));
    expect(validOf(b)).toEqual(validOf(c));
  });
});
