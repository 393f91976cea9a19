/**
 * `npm start` (until the examples land): three replicas with their own keys make concurrent
 * edits offline, then sync over the in-memory transport in a random order, and print the
 * converged documents and their state hash.
 */
import { createMemoryTransportPair, createReplica, generateIdentity, type Replica } from '../src/index.ts';

const names = ['alice', 'bob', 'carol'] as const;
const ids = await Promise.all(names.map(() => generateIdentity()));
const alice = await createReplica({ identity: ids[0]!, create: { name: 'demo' } });
const replicas: Replica[] = [alice];
for (const id of ids.slice(1)) replicas.push(await createReplica({ identity: id, db: alice.dbId }));
const byName = (r: Replica): string => names[replicas.indexOf(r)]!;

async function sync(a: Replica, b: Replica): Promise<void> {
  const [ta, tb] = createMemoryTransportPair();
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  while (!(sa.settled && sb.settled)) await new Promise((r) => setTimeout(r, 2));
  sa.close();
  sb.close();
  console.log(`  synced ${byName(a)} <-> ${byName(b)}`);
}

console.log(`database ${alice.dbId.slice(0, 16)}…`);
// Everyone needs the genesis before writing into the shared list.
await sync(alice, replicas[1]!);
await sync(alice, replicas[2]!);

console.log('\nconcurrent offline edits:');
await alice.change((tx) => {
  tx.insert('todos', { title: 'Buy milk', done: false }, 'milk');
  tx.insert('todos', { title: 'Write docs', done: false }, 'docs');
});
await sync(alice, replicas[1]!);
await sync(alice, replicas[2]!);
const [, bob, carol] = replicas as [Replica, Replica, Replica];
await alice.change((tx) => tx.update('todos', 'milk', { title: 'Buy oat milk' }));
await bob.change((tx) => {
  tx.update('todos', 'milk', { done: true });
  tx.increment('todos', 'docs', 'votes', 2);
});
await carol.change((tx) => {
  tx.update('todos', 'milk', { title: 'Buy almond milk' });
  tx.increment('todos', 'docs', 'votes', 1);
  tx.addToSet('todos', 'docs', 'tags', 'writing');
});
await bob.change((tx) => tx.delete('todos', 'docs'));
await carol.change((tx) => tx.insert('todos', { title: 'Call mum', done: false }, 'call'));
for (const r of replicas) console.log(`  ${byName(r)} wrote ${r.changes().length} changes so far`);

console.log('\nsync in random order:');
const pairs: [number, number][] = [
  [0, 1],
  [1, 2],
  [0, 2],
];
for (let round = 0; round < 2; round++) {
  pairs.sort(() => Math.random() - 0.5);
  for (const [i, j] of pairs) await sync(replicas[i]!, replicas[j]!);
}

console.log('\nconverged documents:');
for (const r of replicas) {
  console.log(`  ${byName(r)}: ${JSON.stringify(r.list('todos'))}`);
  console.log(`  ${byName(r)} state hash ${r.stateHash()}`);
}
const same = replicas.every((r) => r.stateHash() === alice.stateHash());
console.log(same ? '\nall three replicas converged.' : '\nreplicas DIVERGED');
process.exit(same ? 0 : 1);
