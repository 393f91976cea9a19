/**
 * Every replica matches the reference oracle on the set of valid changes and on stateHash(),
 * for randomised histories of grants, revocations, re-grants and writes from 6 replicas,
 * delivered in different orders. WEFT_SEED replays one seed; WEFT_FUZZ=long runs 6 × 5,000 × 1,000.
 */
import { describe, expect, it } from 'vitest';
import { Rng, fuzzLevel, seedsToRun, withSeed } from '../testing/random.ts';
import { memoizedVerifier, seededIdentity } from '../testing/replica-cluster.ts';
import { defaultEd25519 } from '../crypto/identity.ts';
import { createReplica, type Replica } from '../replica/replica.ts';
import { mapConcurrent } from '../replica/concurrency.ts';
import { ChangeLog } from '../log/change-log.ts';
import { Materializer } from '../replica/materializer.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { ChangeHash } from '../ids.ts';
import type { Identity } from '../crypto/identity.ts';
import { MEMBERSHIP_RULES, authReplica } from './auth-test-kit.test-support.ts';
import { oracle } from './oracle.test-support.ts';

const long = fuzzLevel() === 'long';
const OPS = long ? 5_000 : 500;
const SEEDS = seedsToRun(Number(process.env.WEFT_AUTH_SEEDS ?? (long ? 1_000 : 100)));
const ROLES = ['editor', 'owner', 'viewer'];

async function history(rng: Rng, port: Ed25519Port) {
  const ids: Identity[] = [];
  for (let i = 0; i < 6; i++) ids.push(await seededIdentity(rng, port));
  const base = 1_700_000_000_000;
  let tick = 0;
  const opts = { ed25519: port, wallClock: () => base + tick, random: (n: number) => rng.bytes(n) };
  // Authors run unvalidated replicas: like a modified client, they may sign anything.
  const root = await createReplica({ identity: ids[0]!, create: { name: 'oracle' }, ...opts });
  const authors: Replica[] = [root];
  for (const id of ids.slice(1)) {
    const r = await createReplica({ identity: id, db: root.dbId, ...opts });
    await r.ingestMany(root.changes().map((e) => e.sc.bytes));
    authors.push(r);
  }
  let memberDocs = 0;
  for (let op = 0; op < OPS; op++) {
    tick += 1 + rng.int(1000);
    const who = rng.int(6);
    const r = authors[who]!;
    const members = r.list('members');
    const roll = rng.int(100);
    await r.change((tx) => {
      if (roll < 25 || members.length === 0) {
        tx.insert('members', { user: rng.pick(ids).author, role: rng.pick(ROLES) }, `m${memberDocs++}`);
      } else if (roll < 40) tx.delete('members', rng.pick(members).id);
      else if (roll < 50) tx.update('members', rng.pick(members).id, { role: rng.pick(ROLES) });
      else tx.set('notes', `n${rng.int(8)}`, 'text', `${who}:${op}`);
    });
    if (rng.bool(0.4)) {
      const from = rng.pick(authors);
      const to = rng.pick(authors);
      if (from !== to)
        await to.ingestMany(
          from
            .changes()
            .filter((e) => to.getChange(e.sc.hash) === undefined)
            .map((e) => e.sc.bytes),
        );
    }
  }
  const all = new Map<ChangeHash, Uint8Array>();
  for (const a of authors) for (const e of a.changes()) all.set(e.sc.hash, e.sc.bytes);
  return { root, ids, all };
}

/** Runs one seed; throws (via expect) when a replica disagrees with the oracle. */
export async function runSeed(seed: number): Promise<void> {
  const rng = new Rng(seed);
  const port = memoizedVerifier(await defaultEd25519());
  const { root, ids, all } = await history(rng, port);
  const changes = root.changes().length > 0 ? [...all.values()] : [];
  const judges: Replica[] = [];
  for (let j = 0; j < 6; j++) {
    const judge = await authReplica(ids[j]!, root.dbId, { ed25519: port });
    const order = rng.shuffle(changes);
    for (let i = 0; i < order.length;) {
      const n = 1 + rng.int(40);
      await judge.ingestMany(order.slice(i, i + n));
      i += n;
    }
    expect(judge.pendingCount).toBe(0);
    judges.push(judge);
  }
  const entries = judges[0]!.changes();
  const verdicts = oracle(
    entries.map((e) => e.sc),
    MEMBERSHIP_RULES,
    ids[0]!.author,
  );
  const expected = [...verdicts]
    .filter(([, ok]) => ok)
    .map(([h]) => h)
    .sort();
  expect(expected.length).toBeGreaterThan(1);
  expect(expected.length).toBeLessThan(entries.length); // the history does exercise rejections

  // The oracle's state: its valid changes materialized from scratch.
  const log = new ChangeLog();
  const state = new Materializer(log, undefined);
  for (const e of entries) {
    log.add(e.sc, verdicts.get(e.sc.hash) ? 'applied' : 'rejected', verdicts.get(e.sc.hash) ? null : 'E_PERMISSION');
    state.index(e.sc);
  }
  state.rebuild([], new Map());
  for (const e of log.topological()) if (e.status === 'applied') state.apply(e.sc, new Map());
  const oracleHash = state.stateHash();

  for (const judge of judges) {
    const valid = judge
      .changes()
      .filter((e) => e.status === 'applied')
      .map((e) => e.sc.hash)
      .sort();
    expect(valid).toEqual(expected);
    expect(judge.stateHash()).toBe(oracleHash);
  }
}

/** Registers one shard of the seeds (shards run on separate cores). */
export function oracleShard(shard: number, shards: number): void {
  const seeds = SEEDS.filter((_, i) => i % shards === shard);
  describe(`auth oracle: 6 replicas × ${OPS} ops × ${seeds.length} seeds (shard ${shard + 1}/${shards})`, () => {
    it('every replica matches the oracle on valid changes and state hash', async () => {
      await mapConcurrent(seeds, 4, (seed) => withSeed(seed, () => runSeed(seed)));
    }, 3_600_000);
  });
}
