import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica } from '../replica/replica.ts';
import { collection, defineSchema, list, ref, rules, schemaValidator, string, text, typed } from './index.ts';

const schema = defineSchema({
  users: collection({ name: string() }),
  notes: collection({ body: text().maxLength(8), refs: list(ref('users')) }),
  todos: collection({ title: string().maxLength(5), owner: ref('users') }, { allow: { write: rules.allow() } }),
});
type S = typeof schema;

describe('schemaValidator', () => {
  it('plugs validation into a replica: valid changes carry the schema hash, invalid ones are refused', async () => {
    const identity = await generateIdentity();
    const r = await createReplica({ identity, create: { name: 'schema' }, validator: schemaValidator(schema) });
    let todo = '';
    await r.change((tx) => {
      const t = typed<S>(tx);
      const user = t.insert('users', { name: 'Ann' });
      todo = t.insert('todos', { title: 'milk', owner: user });
    });
    expect(r.get('todos', todo)?.title).toBe('milk');
    expect(r.changes().at(-1)?.sc.change.schema).toBe(schema.hash);
    const before = r.changes().length;
    await expect(
      r.change((tx) => typed<S>(tx).insert('todos', { title: 'too long', owner: 'nobody' })),
    ).rejects.toMatchObject({ code: 'E_VALIDATION' });
    await expect(r.change((tx) => tx.increment('todos', todo, 'title'))).rejects.toMatchObject({ code: 'E_SCHEMA' });
    expect(r.changes().length).toBe(before);
  });

  it('validates real text and list payloads arriving from a peer', async () => {
    // The writer has no schema, so nothing is refused locally; the reader judges every change.
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'schema' } });
    const b = await createReplica({
      identity: await generateIdentity(),
      db: a.dbId,
      validator: schemaValidator(schema),
    });
    const ok1 = await a.change((tx) => {
      const t = typed<S>(tx);
      t.insert('users', { name: 'Ann' }, 'u1');
      t.text('notes', 'n1', 'body').insert(0, 'hello');
      t.list('notes', 'n1', 'refs').insert(0, 'u1');
    });
    const tooLong = await a.change((tx) => typed<S>(tx).text('notes', 'n1', 'body').insert(5, ' world'));
    const ghost = await a.change((tx) => tx.list('notes', 'n2', 'refs').insert(0, 'ghost'));
    const wrongKind = await a.change((tx) => tx.list('notes', 'n3', 'body').insert(0, 'x'));
    await b.ingestMany(a.changes().map((e) => e.sc.bytes));
    const status = (h: string) => {
      const e = b.changes().find((x) => x.sc.hash === h);
      return e?.status === 'applied' ? 'applied' : e?.reason;
    };
    expect([status(ok1), status(tooLong), status(ghost), status(wrongKind)]).toEqual([
      'applied',
      'E_VALIDATION',
      'E_VALIDATION',
      'E_SCHEMA',
    ]);
    expect(b.get('notes', 'n1')).toMatchObject({ body: 'hello', refs: ['u1'] });
  });
});
