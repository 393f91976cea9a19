/**
 * Starting a new replica from a snapshot plus the changes after it.
 *
 * `bootstrapFromSnapshot` verifies the snapshot (verify-snapshot.ts) and writes, in one atomic
 * batch, what a replica's cold start reads: the database id, the heads and clock, every doc
 * state, the embedded change bodies (genesis always) and the snapshot itself. A replica opened
 * on that storage (`createReplica`) then holds the covered changes as DAG stubs, so later
 * changes whose deps the snapshot covers pass the chain rule and the deps check and are
 * ingested as usual; `createReplica({ snapshot })` does both steps.
 */
import { WeftError } from '../errors.ts';
import { fromHex } from '../bytes.ts';
import { decode } from '../encoding/canonical.ts';
import { decodeDocState } from '../crdt/doc-codec.ts';
import { docKey, type SequenceHooks } from '../crdt/doc-state.ts';
import { ChangeLog } from '../log/change-log.ts';
import { metaKey, putDocOps, putEntryOps, putMeta } from '../replica/replica-store.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import type { DbId } from '../ids.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import { addSkeleton, putCurrentSnapshot } from './snapshot-store.ts';
import { verifySnapshot, type SnapshotTrust } from './verify-snapshot.ts';

/** Options for {@link bootstrapFromSnapshot}: whom to trust, plus the sequence CRDT hooks. */
export interface BootstrapOptions extends SnapshotTrust {
  /** Needed when the snapshot holds text or list fields (the replica's `sequence` option). */
  readonly sequence?: SequenceHooks;
}

/**
 * Verifies `snapshot` against `trust` and writes it into empty `storage` as the starting state
 * of a replica. Resolves with the database id. Rejects with `E_HASH`/`E_SIGNATURE`/`E_WRONG_DB`
 * for a snapshot that fails a check, `E_INVALID_ARGUMENT` when storage already holds a database.
 */
export async function bootstrapFromSnapshot(
  storage: StorageAdapter,
  snapshot: Uint8Array,
  trust: BootstrapOptions,
): Promise<DbId> {
  const v = await verifySnapshot(snapshot, trust);
  const existing = await storage.get('meta', metaKey('db'));
  if (existing !== undefined)
    throw new WeftError('E_INVALID_ARGUMENT', `storage already holds database ${decode(existing) as string}`);
  const { body } = v;
  // The heads the replica will advertise are the skeleton's: build its DAG once to find them.
  const log = new ChangeLog();
  addSkeleton(log, body);
  const writes: WriteOp[] = [putMeta('db', body.db)];
  writes.push(
    putMeta(
      'heads',
      [...log.heads].sort().map((h) => fromHex(h)),
    ),
  );
  writes.push(putMeta('clock', [body.at.ms, body.at.c]));
  for (const bytes of body.docs) {
    const doc = decodeDocState(bytes, trust.sequence);
    writes.push(...putDocOps(docKey(doc.c, doc.d), doc, 'all', trust.sequence));
  }
  [v.genesis, ...v.bodies].forEach((sc, order) => {
    const e = log.get(sc.hash)!;
    writes.push(...putEntryOps({ sc, height: e.height, status: e.status, reason: e.reason, order }));
  });
  writes.push(putCurrentSnapshot(snapshot));
  await storage.write(writes, { durability: 'strict' });
  return body.db;
}

/** The `createReplica` options the snapshot path reads. */
export interface ReplicaSnapshotOptions {
  readonly snapshot: Uint8Array;
  readonly snapshotTrust?: SnapshotTrust;
  readonly db?: DbId;
  readonly sequence?: SequenceHooks;
}

/**
 * `createReplica({ snapshot })` on empty storage: bootstraps it, trusting the creator of
 * `options.db` unless `snapshotTrust` says otherwise. Resolves with the stored `meta` db entry.
 */
export async function bootstrapReplicaStorage(
  storage: StorageAdapter,
  options: ReplicaSnapshotOptions,
  ed25519: Ed25519Port,
): Promise<Uint8Array | undefined> {
  const trust: BootstrapOptions = {
    ed25519,
    ...options.snapshotTrust,
    ...(options.db === undefined ? {} : { db: options.db }),
    ...(options.sequence === undefined ? {} : { sequence: options.sequence }),
  };
  await bootstrapFromSnapshot(storage, options.snapshot, trust);
  return storage.get('meta', metaKey('db'));
}
