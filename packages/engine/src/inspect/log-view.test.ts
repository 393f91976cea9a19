import { describe, expect, it } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica, type Replica } from '../replica/replica.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import { authReplica, deliver } from '../auth/auth-test-kit.test-support.ts';
import type { AuthorId } from '../ids.ts';
import { inspect } from './inspect.ts';
import type { LogFilter } from './inspect-protocol.ts';

const log = (r: Replica, filter?: LogFilter, offset = 0, limit = 100) =>
  inspect({ replica: r }, { v: 1, kind: 'log', offset, limit, ...(filter === undefined ? {} : { filter }) });

describe('inspect log', () => {
  it('lists changes in arrival order, newest last, with decoded ops, heads and one lane per author', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'log' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    const h1 = await a.change((tx) => tx.insert('todos', { title: 'one' }, 't1'));
    await deliver(b, a);
    const h2 = await b.change((tx) => tx.update('todos', 't1', { title: 'two' }));
    await deliver(a, b);
    const res = log(a);
    expect(res.total).toBe(3);
    expect(res.rows.map((r) => r.hash)).toEqual([a.changes()[0]!.sc.hash, h1, h2]);
    expect(res.rows.map((r) => r.index)).toEqual([0, 1, 2]);
    const [genesis, first, second] = res.rows;
    expect(genesis!.ops).toEqual([{ i: 0, kind: 'genesis', value: 'log' }]);
    expect(first).toMatchObject({ author: a.author, seq: 2, status: 'applied', reason: null, signature: 'valid' });
    expect(first!.ops).toEqual([{ i: 0, kind: 'set', collection: 'todos', id: 't1', field: 'title', value: 'one' }]);
    expect(second).toMatchObject({ author: b.author, isHead: true, lane: 1, deps: [h1] });
    expect(first!.isHead).toBe(false);
    expect(res.heads).toEqual([h2]);
    expect(res.lanes).toEqual([
      { author: a.author, lane: 0 },
      { author: b.author, lane: 1 },
    ]);
    // Paging and the DAG view share the arrival order.
    expect(log(a, undefined, 1, 1).rows.map((r) => r.hash)).toEqual([h1]);
    const dag = inspect({ replica: a }, { v: 1, kind: 'dag', offset: 0, limit: 10 });
    expect(dag.nodes.map((n) => [n.hash, n.lane, n.isHead])).toEqual([
      [genesis!.hash, 0, false],
      [h1, 0, false],
      [h2, 1, true],
    ]);
  });

  it('filters by author, collection, document and status, counting only matches', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'f' } });
    await a.change((tx) => tx.insert('todos', { title: 'x' }, 'x'));
    await a.change((tx) => tx.insert('notes', { text: 'n' }, 'n'));
    await a.change((tx) => tx.update('todos', 'x', { title: 'y' }));
    expect(log(a, { collection: 'todos' }).total).toBe(2);
    expect(log(a, { collection: 'todos', doc: 'x' }).total).toBe(2);
    expect(log(a, { collection: 'notes', doc: 'x' }).total).toBe(0);
    expect(log(a, { doc: 'n' }).rows.map((r) => r.ops[0]!.collection)).toEqual(['notes']);
    expect(log(a, { author: a.author }).total).toBe(4);
    expect(log(a, { author: 'cd'.repeat(32) }).total).toBe(0);
    expect(log(a, { status: 'applied' }).total).toBe(4);
    expect(log(a, { status: 'rejected' }).total).toBe(0);
    // A filtered page keeps each row's unfiltered position.
    expect(log(a, { collection: 'todos' }, 1, 5).rows.map((r) => r.index)).toEqual([3]);
  });

  it('shows parked changes as pending with their missing deps, last', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 'p' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    await deliver(b, a);
    const h1 = await a.change((tx) => tx.insert('todos', { title: '1' }, 't'));
    await deliver(b, a);
    await a.change((tx) => tx.update('todos', 't', { title: '2' }));
    const h2 = a.changes().at(-1)!.sc.hash;
    await a.change((tx) => tx.update('todos', 't', { title: '3' }));
    const h3 = a.changes().at(-1)!.sc.hash;
    await b.ingestMany([a.getChange(h3)!.sc.bytes]);
    const res = log(b);
    expect(res.total).toBe(3);
    expect(res.rows.at(-1)).toMatchObject({ hash: h3, status: 'pending', missing: [h2], height: -1, isHead: false });
    expect(res.heads).toEqual([h1]);
    expect(log(b, { status: 'pending' }).rows.map((r) => r.hash)).toEqual([h3]);
    expect(log(b, { status: 'pending', author: b.author }).total).toBe(0);
  });

  it('tells rejected-on-arrival from rolled back, with reason codes, across a reopen', async () => {
    const [root, bob] = await Promise.all([generateIdentity(), generateIdentity()]);
    const r = await authReplica(root, undefined);
    const b = await authReplica(bob, r.dbId);
    await r.change((tx) => tx.insert('members', { user: bob.author, role: 'editor' }, 'm-bob'));
    await deliver(b, r);
    // Concurrently: root revokes bob while bob writes.
    await r.change((tx) => tx.delete('members', 'm-bob'));
    const bobWrite = await b.change((tx) => tx.insert('notes', { text: 'offline' }, 'n1'));
    // c sees bob's write first (applied), then the revocation (rolled back).
    const storage = createMemoryStorage();
    const carol = await generateIdentity();
    const { RulesValidator } = await import('../auth/rules-validator.ts');
    const { MEMBERSHIP_RULES } = await import('../auth/auth-test-kit.test-support.ts');
    const judge = () => new RulesValidator({ rules: MEMBERSHIP_RULES, schemaHash: null });
    const c = await createReplica({ identity: carol, db: r.dbId, storage, validator: judge() });
    await deliver(c, b);
    expect(log(c, { status: 'applied', author: bob.author }).rows.map((x) => x.hash)).toEqual([bobWrite]);
    await deliver(c, r);
    expect(log(c, { status: 'rolledBack' }).rows).toMatchObject([{ hash: bobWrite, reason: 'E_PERMISSION' }]);
    // r sees the revocation first: bob's write is rejected on arrival.
    await deliver(r, b);
    expect(log(r, { status: 'rejected' }).rows).toMatchObject([{ hash: bobWrite, reason: 'E_PERMISSION' }]);
    expect(log(r, { status: 'rolledBack' }).total).toBe(0);
    // The distinction is stored with the change's verdict.
    const reopened = await createReplica({ identity: carol, storage, validator: judge() });
    expect(log(reopened, { status: 'rolledBack' }).rows.map((x) => [x.hash, x.author as AuthorId])).toEqual([
      [bobWrite, bob.author],
    ]);
  });
});
