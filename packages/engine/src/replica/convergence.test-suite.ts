/**
 * Convergence: N replicas × M random ops × K seeds over a lossy, duplicating, reordering,
 * partitioning network must end with identical state hashes and identical change sets, and
 * batch apply must equal incremental apply. Replay a failure with WEFT_SEED=<seed>;
 * WEFT_FUZZ=long runs 8 × 20,000 × 2,000.
 */
import { describe, expect, it } from 'vitest';
import { Rng, fuzzLevel, seedsToRun, withSeed } from '../testing/random.ts';
import { ReplicaCluster, memoizedVerifier } from '../testing/replica-cluster.ts';
import { defaultEd25519 } from '../crypto/identity.ts';
import { createReplica, type Replica } from './replica.ts';
import type { Transaction } from './transaction.ts';
import { mapConcurrent } from './concurrency.ts';

const long = fuzzLevel() === 'long';
const REPLICAS = long ? 8 : 5;
const OPS = long ? 20_000 : 1_000;
const SEEDS = seedsToRun(Number(process.env.WEFT_SEEDS ?? (long ? 2_000 : 200)));

const DOCS = ['a', 'b', 'c', 'd', 'e', 'f'];
const COLLECTIONS = ['todos', 'lists'];
const TAGS = ['red', 'green', 'blue'];

function randomOp(rng: Rng, tx: Transaction, replica: Replica): void {
  const c = rng.pick(COLLECTIONS);
  const d = rng.pick(DOCS);
  const r = rng.int(100);
  if (r < 35)
    tx.set(c, d, rng.pick(['title', 'done', 'order']), rng.pick([rng.int(1000), `v${rng.int(50)}`, true, null]));
  else if (r < 45) tx.set(c, d, rng.pick(['meta.x', 'meta.y', 'meta']), rng.int(10));
  else if (r < 60) tx.increment(c, d, 'count', rng.int(11) - 5);
  else if (r < 72) tx.addToSet(c, d, 'tags', rng.pick(TAGS));
  else if (r < 82) tx.removeFromSet(c, d, 'tags', rng.pick(TAGS));
  else if (r < 90) tx.delete(c, d);
  else tx.insert(c, { title: `new${rng.int(100)}` }, `${d}${rng.int(3)}`);
  void replica;
}

function changeSet(r: Replica): string[] {
  return r
    .changes()
    .map((e) => `${e.sc.hash}:${e.status}`)
    .sort();
}

/** Runs one seed; throws (via expect) when replicas diverge. */
export async function runSeed(seed: number): Promise<void> {
  const rng = new Rng(seed);
  const port = memoizedVerifier(await defaultEd25519());
  const cluster = await ReplicaCluster.create(rng, REPLICAS, {
    port,
    net: { drop: 0.05, duplicate: 0.05, reorder: 0.2 },
  });
  const { replicas } = cluster;
  let ops = 0;
  let partitioned = false;
  while (ops < OPS) {
    const replica = rng.pick(replicas);
    const n = 1 + rng.int(3);
    await replica.change((tx) => {
      for (let k = 0; k < n; k++) randomOp(rng, tx, replica);
    });
    ops += n;
    await cluster.deliver(rng.int(30));
    const roll = rng.int(100);
    if (roll < 2 && !partitioned) {
      const names = rng.shuffle(replicas.map((_, i) => `r${i}`));
      const cut = 1 + rng.int(names.length - 1);
      cluster.net.partition([names.slice(0, cut), names.slice(cut)]);
      partitioned = true;
    } else if (roll < 5 && partitioned) {
      cluster.net.heal();
      partitioned = false;
    } else if (roll < 6) {
      const i = rng.int(REPLICAS - 1);
      const j = i + 1 + rng.int(REPLICAS - 1 - i);
      cluster.disconnect(i, j);
      cluster.connect(i, j);
    }
  }
  cluster.net.heal();
  await cluster.converge();

  const hash0 = replicas[0]!.stateHash();
  const set0 = changeSet(replicas[0]!);
  for (const r of replicas) {
    expect(r.stateHash()).toBe(hash0);
    expect(changeSet(r)).toEqual(set0);
  }
  expect(replicas[0]!.list('todos').length + replicas[0]!.list('lists').length).toBeGreaterThan(0);

  // Batch apply (one shuffled batch) and incremental apply (one change at a time) agree.
  const all = replicas[0]!.changes().map((e) => e.sc.bytes);
  const batch = await createReplica({ identity: replicas[1]!.identity, db: replicas[0]!.dbId, ed25519: port });
  await batch.ingestMany(rng.shuffle([...all]));
  expect(batch.pendingCount).toBe(0);
  expect(batch.stateHash()).toBe(hash0);
  expect(changeSet(batch)).toEqual(set0);
  const incremental = await createReplica({ identity: replicas[1]!.identity, db: replicas[0]!.dbId, ed25519: port });
  for (const bytes of all) await incremental.ingestMany([bytes]);
  expect(incremental.stateHash()).toBe(hash0);
  expect(changeSet(incremental)).toEqual(set0);
}

/**
 * Registers the suite for one shard of the seeds. The seeds are split over shard files so
 * Vitest runs them on every core.
 */
export function convergenceShard(shard: number, shards: number): void {
  const seeds = SEEDS.filter((_, i) => i % shards === shard);
  describe(`convergence: ${REPLICAS} replicas × ${OPS} ops × ${seeds.length} seeds (shard ${shard + 1}/${shards})`, () => {
    it('every replica ends with the same state hash and change set', async () => {
      // Seeds are independent and each is deterministic on its own (it waits only for its own
      // sessions), so running several at once overlaps their WebCrypto round trips.
      await mapConcurrent(seeds, 4, (seed) => withSeed(seed, () => runSeed(seed)));
    }, 3_600_000);
  });
}
