import { describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, createMemoryTransportPair, type Replica } from '../index.ts';

async function pair(): Promise<[Replica, Replica]> {
  const a = await createReplica({ identity: await generateIdentity(), create: { name: 'test' } });
  const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
  return [a, b];
}

async function syncUntilSettled(a: Replica, b: Replica): Promise<void> {
  const [ta, tb] = createMemoryTransportPair();
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  for (let i = 0; i < 200 && !(sa.settled && sb.settled); i++) await new Promise((r) => setTimeout(r, 5));
  expect(sa.settled && sb.settled).toBe(true);
  sa.close();
  sb.close();
}

describe('replica', () => {
  it('makes one signed change per call, however many docs it touches', async () => {
    const [a] = await pair();
    const before = a.changes().length;
    const hash = await a.change((tx) => {
      tx.insert('todos', { title: 'one' }, 'doc1');
      tx.insert('todos', { title: 'two' }, 'doc2');
    });
    expect(a.changes().length).toBe(before + 1);
    expect(a.getChange(hash)?.sc.change.ops).toHaveLength(2);
    expect(a.get('todos', 'doc1')).toEqual({ id: 'doc1', title: 'one' });
    expect(a.list('todos').map((d) => d.id)).toEqual(['doc1', 'doc2']);
  });

  it('syncs two replicas over the memory transport to the same state', async () => {
    const [a, b] = await pair();
    await a.change((tx) => tx.insert('todos', { title: 'from a', n: 1 }, 'x'));
    await b.change((tx) => tx.insert('todos', { title: 'from b' }, 'y'));
    await syncUntilSettled(a, b);
    expect(b.get('todos', 'x')).toEqual({ id: 'x', title: 'from a', n: 1 });
    expect(a.get('todos', 'y')).toEqual({ id: 'y', title: 'from b' });
    expect(a.stateHash()).toBe(b.stateHash());
    expect(a.heads()).toEqual(b.heads());
  });

  it('ingests a change and reports duplicates', async () => {
    const [a, b] = await pair();
    await a.change((tx) => tx.insert('todos', { title: 't' }, 'x'));
    for (const e of a.changes()) await b.ingest(e.sc.bytes);
    expect(b.stateHash()).toBe(a.stateHash());
    const again = await b.ingest(a.changes()[1]!.sc.bytes);
    expect(again.status).toBe('duplicate');
  });
});
