/**
 * `npm run bench -- ingest`: 10 authors make 10,000 changes of 10 ops; a fresh replica ingests
 * them end to end (parse, verify, chain, apply, persist to memory storage). Compared with bare
 * WebCrypto verify of the same signatures with as many requests in flight as Weft uses.
 */
import { createReplica, createMemoryStorage } from '@weft/engine';
import { makeChanges, rawVerifyPerSecond } from './workload.ts';
import { median, printTable } from './report.ts';

const IN_FLIGHT = 64;
const BATCH = 512;

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const n = Number(args[args.indexOf('--changes') + 1] || 10_000);
  const opsPer = 10;
  const { dbId, creator, changes, genesis } = await makeChanges(10, n, opsPer);
  const wires = changes.map((c) => c.bytes);
  const runs: number[] = [];
  const raws: number[] = [];
  for (let r = 0; r < 3; r++) {
    raws.push(await rawVerifyPerSecond(changes, IN_FLIGHT));
    const replica = await createReplica({
      identity: creator,
      db: dbId,
      storage: createMemoryStorage(),
      verifyConcurrency: IN_FLIGHT,
    });
    await replica.ingest(genesis);
    const t0 = performance.now();
    // Batches as a sync session delivers them: each starts verifying on arrival and commits in
    // order, so verification of the next batch overlaps the commit of this one.
    const prepared = [];
    for (let i = 0; i < wires.length; i += BATCH) prepared.push(replica.prepareIngest(wires.slice(i, i + BATCH)));
    for (const p of prepared) await replica.commitPrepared(p);
    runs.push(performance.now() - t0);
    if (replica.changes().length !== n + 1 || replica.pendingCount !== 0) throw new Error('ingest lost changes');
  }
  const ms = median(runs);
  const raw = median(raws);
  const changesPerS = (n / ms) * 1000;
  const figures = {
    bench: 'ingest',
    changes: n,
    ops: n * opsPer,
    ms: Math.round(ms),
    changes_per_s: Math.round(changesPerS),
    ops_per_s: Math.round(changesPerS * opsPer),
    raw_verify_per_s: Math.round(raw),
    ratio_to_raw_verify: Number((changesPerS / raw).toFixed(3)),
  };
  printTable('ingest: fresh replica ingests signed changes (median of 3)', figures);
  return figures;
}
