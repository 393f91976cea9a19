/**
 * `npm run bench -- merge`: two replicas, each holding 5,000 changes the other lacks
 * (concurrent edits to shared docs), sync over the in-memory transport until both settle.
 * Compared with bare WebCrypto verify of the same number of signatures.
 */
import { createMemoryTransportPair, createReplica, type Replica } from '@weft/engine';
import { makeChanges, rawVerifyPerSecond } from './workload.ts';
import { median, printTable } from './report.ts';

async function settle(a: Replica, b: Replica): Promise<number> {
  const [ta, tb] = createMemoryTransportPair();
  const t0 = performance.now();
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  while (!(sa.settled && sb.settled)) await new Promise((r) => setTimeout(r, 1));
  const ms = performance.now() - t0;
  sa.close();
  sb.close();
  return ms;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const perSide = Number(args[args.indexOf('--changes') + 1] || 5_000);
  // Two disjoint author groups on one genesis: everything A holds is concurrent with B's.
  const left = await makeChanges(5, perSide, 10);
  const right = await makeChanges(5, perSide, 10, 1000, { creator: left.creator, genesis: left.genesisChange });
  const runs: number[] = [];
  const raws: number[] = [];
  for (let r = 0; r < 3; r++) {
    const a = await createReplica({ identity: left.creator, db: left.dbId });
    const b = await createReplica({ identity: left.creator, db: left.dbId });
    await a.ingestMany([left.genesis, ...left.changes.map((c) => c.bytes)]);
    await b.ingestMany([left.genesis, ...right.changes.map((c) => c.bytes)]);
    raws.push(await rawVerifyPerSecond([...left.changes, ...right.changes], 64));
    runs.push(await settle(a, b));
    if (a.stateHash() !== b.stateHash() || a.changes().length !== 2 * perSide + 1)
      throw new Error('merge did not converge');
  }
  const ms = median(runs);
  const changes = perSide * 2;
  const changesPerS = (changes / ms) * 1000;
  const raw = median(raws);
  const figures = {
    bench: 'merge',
    changes,
    ms: Math.round(ms),
    changes_per_s: Math.round(changesPerS),
    raw_verify_per_s: Math.round(raw),
    ratio_to_raw_verify: Number((changesPerS / raw).toFixed(3)),
  };
  printTable('merge: two replicas with concurrent histories sync (median of 3)', figures);
  return figures;
}
