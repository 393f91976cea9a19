/**
 * The storm bench's backlog generator, run in worker threads (`new Worker(this file)`): signing
 * 250,000 changes through real replicas takes ~2 minutes on one core, so each worker builds a
 * share of the databases and posts back, per client, its exported identity and the bytes of the
 * replica's storage (in-memory adapter, every store). The main thread reopens each replica from
 * a copy of that storage — the engine's ordinary cold start, which trusts local storage instead
 * of re-verifying — so every client's backlog is ordinary, signed, unsynced changes of its own
 * author, and nothing about the sync is simulated.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  STORES,
  createMemoryStorage,
  createReplica,
  exportIdentity,
  generateIdentity,
  type ExportedIdentity,
  type WriteOp,
} from '@weft/engine';

/** What the main thread asks one worker for. */
export interface BacklogJob {
  readonly dbs: number;
  readonly perDb: number;
  readonly changes: number;
}

/** One database's backlog: each client's identity and replica storage (genesis and own changes). */
export interface DbBacklog {
  readonly dbId: string;
  readonly clients: readonly { readonly identity: ExportedIdentity; readonly storage: readonly WriteOp[] }[];
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
      const storage = createMemoryStorage();
      const replica = await createReplica({ identity, db: root.dbId, storage });
      await replica.ingest(genesis);
      for (let k = 0; k < job.changes; k++)
        await replica.change((tx) => tx.insert('notes', { n: k, title: `offline note ${k} of ${c}` }));
      const dump: WriteOp[] = [];
      for (const store of STORES)
        for (const e of await storage.scan(store)) dump.push({ type: 'put', store, key: e.key, value: e.value });
      clients.push({ identity: await exportIdentity(identity), storage: dump });
    }
    out.push({ dbId: root.dbId, clients });
  }
  return out;
}

if (parentPort !== null && workerData !== undefined && workerData !== null) {
  const port = parentPort;
  void buildBacklogs(workerData as BacklogJob).then((backlogs) => port.postMessage(backlogs));
}
