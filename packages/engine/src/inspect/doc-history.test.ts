import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica } from '../replica/replica.ts';
import { deliver } from '../auth/auth-test-kit.test-support.ts';
import { inspect } from './inspect.ts';
import { collection, defineSchema, string } from '../index.ts';

describe('inspect history', () => {
  it('docAt folds exactly the causal past of a change, text fields as strings', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'h' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    const h1 = await a.change((tx) => {
      tx.insert('notes', { title: 'first' }, 'n');
      tx.text('notes', 'n', 'body').insert(0, 'Hello');
    });
    await deliver(b, a);
    const h2 = await a.change((tx) => tx.update('notes', 'n', { title: 'second' }));
    // Concurrent with h2: b's edit is not in h2's past, nor h2 in b's.
    const hb = await b.change((tx) => tx.text('notes', 'n', 'body').insert(5, ' world'));
    await deliver(a, b);
    const at = (h: string) => inspect({ replica: a }, { v: 1, kind: 'docAt', collection: 'notes', id: 'n', at: h }).doc;
    expect(at(a.changes()[0]!.sc.hash)).toBeNull();
    expect(at(h1)).toEqual({ title: 'first', body: 'Hello' });
    expect(at(h2)).toEqual({ title: 'second', body: 'Hello' });
    expect(at(hb)).toEqual({ title: 'first', body: 'Hello world' });
    // The live doc is untouched by time travel.
    expect(a.get('notes', 'n')).toEqual({ id: 'n', title: 'second', body: 'Hello world' });
    expect(() => at('ef'.repeat(32))).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
  });

  it('docsAt pages a collection as of a change; docs and collections page the live state', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'c' } });
    const h1 = await a.change((tx) => {
      for (const id of ['c', 'a', 'b']) tx.insert('todos', { title: id }, id);
    });
    await a.change((tx) => tx.delete('todos', 'b'));
    const h3 = await a.change((tx) => tx.insert('todos', { title: 'd' }, 'd'));
    const docsAt = (at: string, offset = 0, limit = 10) =>
      inspect({ replica: a }, { v: 1, kind: 'docsAt', collection: 'todos', at, offset, limit });
    expect(docsAt(h1)).toEqual({
      total: 3,
      docs: [
        { id: 'a', doc: { title: 'a' } },
        { id: 'b', doc: { title: 'b' } },
        { id: 'c', doc: { title: 'c' } },
      ],
    });
    expect(docsAt(h3, 1, 2)).toEqual({
      total: 4,
      docs: [
        { id: 'b', doc: null },
        { id: 'c', doc: { title: 'c' } },
      ],
    });
    const live = inspect({ replica: a }, { v: 1, kind: 'docs', collection: 'todos', offset: 1, limit: 5 });
    expect(live).toEqual({
      total: 3,
      docs: [
        { id: 'c', doc: { title: 'c' } },
        { id: 'd', doc: { title: 'd' } },
      ],
    });
    const schema = defineSchema({ todos: collection({ title: string() }), tags: collection({ name: string() }) });
    expect(inspect({ replica: a }, { v: 1, kind: 'collections' })).toEqual({
      collections: [{ name: 'todos', docs: 3 }],
    });
    expect(inspect({ replica: a, schema }, { v: 1, kind: 'collections' })).toEqual({
      collections: [
        { name: 'tags', docs: 0 },
        { name: 'todos', docs: 3 },
      ],
    });
    const v2 = schema.migrate({ version: 2, steps: [] });
    const view = inspect({ replica: a, schema: v2 }, { v: 1, kind: 'schema' }).schema!;
    expect(view).toMatchObject({
      hash: v2.hash,
      version: 2,
      versions: [
        { hash: schema.hash, version: 1 },
        { hash: v2.hash, version: 2 },
      ],
    });
    expect(Object.keys(view.collections).sort()).toEqual(['tags', 'todos']);
    expect(view.collections.todos!.fields).toMatchObject({ title: { type: 'string' } });
    expect(inspect({ replica: a }, { v: 1, kind: 'schema' })).toEqual({ schema: null });
  });

  it('audit lists who changed which field, when and through which change, oldest first', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'au' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    const h1 = await a.change((tx) => {
      tx.insert('notes', { title: 't' }, 'n');
      tx.text('notes', 'n', 'body').insert(0, 'ab');
    });
    await deliver(b, a);
    const h2 = await b.change((tx) => {
      tx.text('notes', 'n', 'body').insert(2, 'c');
      tx.increment('notes', 'n', 'views', 2);
    });
    await deliver(a, b);
    const h3 = await a.change((tx) => tx.delete('notes', 'n'));
    const res = inspect({ replica: a }, { v: 1, kind: 'audit', collection: 'notes', id: 'n' });
    expect(res.total).toBe(5);
    expect(res.entries.map((e) => [e.hash, e.author, e.field, e.op, e.value, e.status])).toEqual([
      [h1, a.author, 'title', 'set', 't', 'applied'],
      [h1, a.author, 'body', 'seq', 'ab', 'applied'],
      [h2, b.author, 'body', 'seq', 'abc', 'applied'],
      [h2, b.author, 'views', 'inc', 2, 'applied'],
      [h3, a.author, '*', 'del', undefined, 'applied'],
    ]);
    expect(res.entries[2]!.hlc).toEqual(b.getChange(h2)!.sc.change.hlc);
    const page = inspect({ replica: a }, { v: 1, kind: 'audit', collection: 'notes', id: 'n', offset: 3, limit: 1 });
    expect(page.entries.map((e) => e.op)).toEqual(['inc']);
  });
});
