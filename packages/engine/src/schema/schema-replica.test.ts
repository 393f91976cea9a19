/**
 * The schema wired into a replica end to end: `createReplica({ schema })` enforces validation
 * and rules on local and remote changes, edit bursts are judged on their own edits once,
 * replicas on different schema versions keep syncing with ops translated, and a change for an
 * unknown schema version waits.
 */
import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica, type Replica } from '../replica/replica.ts';
import {
  addField,
  boolean,
  collection,
  defineSchema,
  number,
  ref,
  renameField,
  rules,
  string,
  text,
  typed,
} from './index.ts';

const v1 = defineSchema({
  users: collection({ name: string() }),
  notes: collection({ title: string().maxLength(20), body: text().maxLength(8), owner: ref('users').optional() }),
  members: collection(
    { user: string(), role: string().oneOf(['editor', 'viewer'] as const) },
    {
      allow: { write: rules.isRoot() },
    },
  ),
  todos: collection(
    { title: string(), done: boolean() },
    { allow: { write: rules.or(rules.isRoot(), rules.hasRole('members', ['editor'])) } },
  ),
});
type V1 = typeof v1;

const sync = async (to: Replica, from: Replica) =>
  to.ingestMany(
    from
      .changes()
      .filter((e) => to.getChange(e.sc.hash) === undefined)
      .map((e) => e.sc.bytes),
  );

describe('schema in a replica', () => {
  it('enforces validation and rules locally (signing nothing) and remotely (rejecting)', async () => {
    const root = await createReplica({ identity: await generateIdentity(), create: { name: 's' }, schema: v1 });
    const bob = await createReplica({ identity: await generateIdentity(), db: root.dbId, schema: v1 });
    const rogue = await createReplica({ identity: bob.identity, db: root.dbId }); // no schema: signs anything
    await sync(bob, root);
    await sync(rogue, root);
    const before = bob.changes().length;
    await expect(bob.change((tx) => typed<V1>(tx).insert('todos', { title: 'x', done: false }))).rejects.toMatchObject({
      code: 'E_PERMISSION',
    });
    await expect(
      bob.change((tx) => typed<V1>(tx).insert('notes', { title: 'a title that is far too long' })),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(bob.changes().length).toBe(before);

    await root.change((tx) => typed<V1>(tx).insert('members', { user: bob.author, role: 'editor' }, 'm1'));
    await sync(bob, root);
    await bob.change((tx) => typed<V1>(tx).insert('todos', { title: 'ok', done: false }, 't1'));
    await sync(root, bob);
    expect(root.get('todos', 't1')?.title).toBe('ok');

    await sync(rogue, root);
    await rogue.change((tx) => tx.insert('notes', { title: 'x'.repeat(30) }, 'n-bad'));
    const state = root.stateHash();
    await expect(root.ingest(rogue.changes().at(-1)!.sc.bytes)).rejects.toMatchObject({ code: 'E_VALIDATION' });
    expect(root.stateHash()).toBe(state);
  });

  it('judges an edit burst on its own edits once (maxLength counts them once)', async () => {
    const r = await createReplica({ identity: await generateIdentity(), create: { name: 's' }, schema: v1 });
    await r.change((tx) => {
      typed<V1>(tx).insert('notes', { title: 'n' }, 'n');
      typed<V1>(tx).text('notes', 'n', 'body').insert(0, 'abcdefgh'); // 8: at the limit
    });
    await r.change((tx) => {
      const body = typed<V1>(tx).text('notes', 'n', 'body');
      body.delete(0, 3);
      body.insert(0, 'xyz'); // still 8
    });
    expect(r.get('notes', 'n')?.body).toBe('xyzdefgh');
    const body = r.editText('notes', 'n', 'body');
    body.delete(7, 1);
    body.insert(7, '!');
    await r.flush();
    expect(r.get('notes', 'n')?.body).toBe('xyzdefg!');
    expect(r.changes().every((e) => e.status === 'applied')).toBe(true);
  });

  it('keeps replicas on different schema versions syncing, translating renamed fields', async () => {
    const base = defineSchema({ todos: collection({ title: string(), done: boolean() }) });
    const v2 = base.migrate({
      version: 2,
      steps: [renameField('todos', 'title', 'name'), addField('todos', 'priority', number().default(0))],
    });
    const old = await createReplica({ identity: await generateIdentity(), create: { name: 's' }, schema: base });
    const next = await createReplica({ identity: await generateIdentity(), db: old.dbId, schema: v2 });
    await old.change((tx) => typed<typeof base>(tx).insert('todos', { title: 'from v1', done: false }, 't1'));
    await sync(next, old);
    expect(next.get('todos', 't1')).toMatchObject({ name: 'from v1', done: false });
    // A v2 change is unknown to the v1 replica: it waits (parked), it isn't rejected.
    await next.change((tx) => tx.update('todos', 't1', { name: 'renamed in v2' }));
    const results = await sync(old, next);
    expect(results.map((r) => r.status)).toContain('pending');
    expect(old.get('todos', 't1')?.title).toBe('from v1');
    expect(old.missingDeps()).toEqual([]); // a schema is not asked of peers
  });
});
