import { describe, expect, it } from 'vitest';
import {
  collection,
  createReplica,
  defineSchema,
  encodeExportedIdentity,
  exportIdentity,
  generateIdentity,
  ref,
  rules,
  string,
  type Replica,
} from '@weft/engine';
import { redeemInvite } from './redeem-invite.ts';

// The invite test's schema (redeem-invite.test.ts).
const schema = defineSchema({
  lists: collection(
    { title: string(), owner: string() },
    {
      allow: {
        create: rules.isOwner('owner'),
        update: rules.or(
          rules.isOwner('owner'),
          rules.hasRole('members', ['editor'], { scopeField: 'list', docField: 'id' }),
        ),
      },
    },
  ),
  members: collection(
    { list: ref('lists'), user: string(), role: string().oneOf(['editor', 'viewer']) },
    {
      allow: {
        create: rules.or(
          rules.canWrite('list'),
          rules.exists('members', { list: rules.field('list'), user: rules.author(), role: rules.field('role') }),
        ),
        update: rules.canWrite('list'),
        delete: rules.canWrite('list'),
      },
    },
  ),
  todos: collection({ list: ref('lists'), title: string() }, { allow: { write: rules.canWrite('list') } }),
});

const bytes = (r: Replica): Uint8Array[] => r.changes().map((e) => e.sc.bytes);

describe('invite links in an encrypted database', () => {
  it('give the invitee the keys, and a spent invite key gets none of the later ones', async () => {
    const ownerId = await generateIdentity();
    const owner = await createReplica({ identity: ownerId, create: { name: 'l', encrypted: true }, schema });
    await owner.change((tx) => void tx.insert('lists', { title: 'Groceries', owner: ownerId.author }, 'g'));
    await owner.change((tx) => void tx.insert('todos', { list: 'g', title: 'SECRET-milk' }, 'milk'));
    const invite = await generateIdentity();
    await owner.change((tx) => void tx.insert('members', { list: 'g', user: invite.author, role: 'editor' }), {
      shareKey: [invite.author],
    });
    const secret = encodeExportedIdentity(await exportIdentity(invite));
    const guest = await createReplica({ identity: await generateIdentity(), db: owner.dbId, schema });
    await guest.ingestMany(bytes(owner));
    // Before redeeming, the guest holds ciphertext only.
    expect(guest.list('todos')).toEqual([]);
    await redeemInvite(guest, schema, secret, 'g', 'members');
    expect(guest.get('todos', 'milk')?.title).toBe('SECRET-milk');
    await guest.change((tx) => void tx.insert('todos', { list: 'g', title: 'eggs' }, 'eggs'));
    await owner.ingestMany(bytes(guest));
    expect(owner.get('todos', 'eggs')?.title).toBe('eggs');
    expect(owner.stateHash()).toBe(guest.stateHash());

    // The owner revokes the guest and rotates; neither the guest nor the link's key reads on.
    const m = owner.list('members').find((d) => d.user === guest.author)!;
    await owner.change((tx) => tx.delete('members', m.id), { rotateKey: { exclude: [guest.author] } });
    await owner.change((tx) => void tx.insert('todos', { list: 'g', title: 'SECRET-after' }, 'after'));
    const linkHolder = await createReplica({ identity: invite, db: owner.dbId, schema });
    await linkHolder.ingestMany(bytes(owner));
    await guest.ingestMany(bytes(owner));
    expect(owner.get('todos', 'after')?.title).toBe('SECRET-after');
    expect(guest.get('todos', 'after')).toBeUndefined();
    expect(linkHolder.get('todos', 'after')).toBeUndefined();
    expect(linkHolder.get('todos', 'milk')?.title).toBe('SECRET-milk');

    // A relay-like replica that enforces the schema but holds no key stores everything as applied.
    const relay = await createReplica({ identity: await generateIdentity(), db: owner.dbId, schema });
    const results = await relay.ingestMany(bytes(owner));
    expect(results.every((r) => r.status === 'applied')).toBe(true);
    expect(relay.list('todos')).toEqual([]);
  });
});
