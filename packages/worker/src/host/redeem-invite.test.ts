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
import { expectWeftError } from '@weft/engine/testing';
import { redeemInvite } from './redeem-invite.ts';

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

async function syncInto(to: Replica, from: Replica): Promise<void> {
  await to.ingestMany(from.changes().map((e) => e.sc.bytes));
}

async function setup(role: 'editor' | 'viewer') {
  const ownerId = await generateIdentity();
  const owner = await createReplica({ identity: ownerId, create: { name: 'lists' }, schema });
  await owner.change((tx) => void tx.insert('lists', { title: 'Groceries', owner: ownerId.author }, 'groceries'));
  const invite = await generateIdentity();
  await owner.change((tx) => void tx.insert('members', { list: 'groceries', user: invite.author, role }));
  const secret = encodeExportedIdentity(await exportIdentity(invite));
  const guest = await createReplica({ identity: await generateIdentity(), db: owner.dbId, schema });
  return { owner, guest, secret };
}

describe('invite links', () => {
  it('grant the invited user the invite’s role, checked by every replica', async () => {
    const { owner, guest, secret } = await setup('editor');
    await expectWeftError(redeemInvite(guest, schema, secret, 'groceries', 'members'), 'E_NOT_FOUND');
    await syncInto(guest, owner);
    await redeemInvite(guest, schema, secret, 'groceries', 'members');
    await guest.change((tx) => void tx.insert('todos', { list: 'groceries', title: 'milk' }, 'milk'));
    await syncInto(owner, guest);
    expect(owner.get('todos', 'milk')).toMatchObject({ title: 'milk' });
    expect(owner.list('members').some((m) => m.user === guest.author && m.role === 'editor')).toBe(true);
  });

  it('a viewer invite grants only viewing: the guest cannot write todos', async () => {
    const { owner, guest, secret } = await setup('viewer');
    await syncInto(guest, owner);
    await redeemInvite(guest, schema, secret, 'groceries', 'members');
    await expectWeftError(
      guest.change((tx) => void tx.insert('todos', { list: 'groceries', title: 'x' })),
      'E_PERMISSION',
    );
  });

  it('rejects a malformed secret and a key with no membership', async () => {
    const { owner, guest } = await setup('editor');
    await syncInto(guest, owner);
    await expectWeftError(redeemInvite(guest, schema, 'nonsense', 'groceries', 'members'), 'E_KEY');
    const stranger = encodeExportedIdentity(await exportIdentity(await generateIdentity()));
    await expectWeftError(redeemInvite(guest, schema, stranger, 'groceries', 'members'), 'E_NOT_FOUND');
    await expectWeftError(redeemInvite(guest, schema, 7 as never, 'groceries', 'members'), 'E_INVALID_ARGUMENT');
  });
});
