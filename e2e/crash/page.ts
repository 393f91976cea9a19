/**
 * The crash test's page: a replica over the real IndexedDB adapter. `run` applies mutations and
 * logs `ack <i>` once each `change()` has resolved (the data is durable: strict durability);
 * `verify` reopens after a crash and compares the state with a clean replay of the same prefix.
 */
import {
  createMemoryStorage,
  createReplica,
  decodeExportedIdentity,
  encodeExportedIdentity,
  exportIdentity,
  generateIdentity,
  importIdentity,
  type Identity,
  type Replica,
} from '@weft/engine';
import { openIndexedDbStorage } from '@weft/worker';
import { openDB } from 'idb';
import { MUTATIONS, mutate } from './workload.ts';

/** What `verify` reports. */
export interface Verdict {
  /** Index of the last mutation the reopened state holds (-1: none). */
  readonly last: number;
  readonly stateHash: string;
  /** State hash of a fresh in-memory replica after mutations 0..last. */
  readonly replayHash: string;
  /** Stored changes: genesis plus one per mutation, if nothing was half-written or duplicated. */
  readonly changes: number;
  readonly docs: number;
}

let replica: Replica | undefined;

/** The page's identity, kept in its own database so the author's chain continues after a crash. */
async function identity(): Promise<Identity> {
  const db = await openDB('weft-crash-identity', 1, { upgrade: (d) => d.createObjectStore('keys') });
  const stored = (await db.get('keys', 'me')) as string | undefined;
  if (stored !== undefined) {
    db.close();
    return importIdentity(decodeExportedIdentity(stored));
  }
  const id = await generateIdentity();
  const tx = db.transaction('keys', 'readwrite', { durability: 'strict' });
  await tx.store.put(encodeExportedIdentity(await exportIdentity(id)), 'me');
  await tx.done;
  db.close();
  return id;
}

/**
 * Reopens the replica (`journalMinOps` picks the adapter's write path for this session: 1
 * journals every batch, Infinity writes every batch directly) and checks it against a replay.
 */
async function verify(seed: number, journalMinOps: number): Promise<Verdict> {
  const me = await identity();
  const storage = await openIndexedDbStorage('weft-crash', { journalMinOps });
  const stored = (await storage.scan('meta')).length > 0;
  replica = await createReplica({ identity: me, storage, ...(stored ? {} : { create: { name: 'crash' } }) });
  const last = (replica.get('progress', 'p')?.last as number | undefined) ?? -1;
  const ref = await createReplica({ identity: me, storage: createMemoryStorage(), create: { name: 'replay' } });
  for (let i = 0; i <= last; i++) await ref.change((tx) => mutate(tx, seed, i));
  const verdict = {
    last,
    stateHash: replica.stateHash(),
    replayHash: ref.stateHash(),
    changes: replica.changes().length,
    docs: replica.list('docs').length,
  };
  await ref.close();
  return verdict;
}

async function run(seed: number, from: number): Promise<void> {
  const r = replica!;
  for (let i = from; i < MUTATIONS; i++) {
    console.log(`issue ${i}`);
    await r.change((tx) => mutate(tx, seed, i));
    console.log(`ack ${i}`);
  }
}

(globalThis as { weftCrash?: unknown }).weftCrash = { verify, run };
console.log('ready');
