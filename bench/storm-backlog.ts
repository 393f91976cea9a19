/**
 * The storm bench's backlog generator, run in worker threads (`new Worker(this file)`): signing
 * 250,000 changes through real replicas takes ~2 minutes on one core, so each worker builds a
 * share of the databases and posts back, per client, its exported identity and the bytes of the
 * changes it wrote. The main thread re-ingests those bytes into fresh replicas (a verify, far
 * cheaper than a sign plus a commit), so every client's backlog is ordinary, signed, unsynced
 * changes of its own author — nothing about the sync is simulated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createReplica, exportIdentity, generateIdentity, type ExportedIdentity } from '@weft/engine';

/** What the main thread asks one worker for. */
export interface BacklogJob {
  readonly dbs: number;
  readonly perDb: number;
  readonly changes: number;
}

/** One database's backlog: its genesis and each client's own changes. */
export interface DbBacklog {
  readonly dbId: string;
  readonly genesis: Uint8Array;
  readonly clients: readonly { readonly identity: ExportedIdentity; readonly changes: readonly Uint8Array[] }[];
}

/** Builds `job.dbs` databases with `job.perDb` authors of `job.changes` changes each. */
export async function buildBacklogs(job: BacklogJob): Promise<DbBacklog[]> {
  const out: DbBacklog[] = [];
  for (let d = 0; d < job.dbs; d++) {
    const creator = await generateIdentity();
    const root = await createReplica({ identity: creator, create: { name: `storm-${d}` } });
    const genesis = root.changes()[0]!.sc.bytes;
    const clients: DbBacklog['clients'][number][] = [];
    for (let c = 0; c < job.perDb; c++) {
      const identity = await generateIdentity();
      const replica = await createReplica({ identity, db: root.dbId });
      await replica.ingest(genesis);
      for (let k = 0; k < job.changes; k++)
        await replica.change((tx) => tx.insert('notes', { n: k, title: `offline note ${k} of ${c}` }));
      const own = replica.changes().filter((e) => e.sc.change.author === identity.author);
      clients.push({ identity: await exportIdentity(identity), changes: own.map((e) => e.sc.bytes) });
    }
    out.push({ dbId: root.dbId, genesis, clients });
  }
  return out;
}

if (parentPort !== null && workerData !== undefined && workerData !== null) {
  const port = parentPort;
  void buildBacklogs(workerData as BacklogJob).then((backlogs) => port.postMessage(backlogs));
}
