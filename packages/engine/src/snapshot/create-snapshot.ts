/**
 * `createSnapshot(replica)`: a signed checkpoint of the replica's current state (format in
 * snapshot-codec.ts). It covers exactly the changes the replica holds, valid or rejected, and
 * none of the parked ones, so it is causally closed; the doc states are those changes'
 * materialization with full CRDT metadata, so later changes merge into it exactly as into the
 * full log.
 */
import { WeftError } from '../errors.ts';
import type { ChangeHash, DbId } from '../ids.ts';
import type { Identity } from '../crypto/identity.ts';
import { encodeDocState } from '../crdt/doc-codec.ts';
import { sortTopological, type LogEntry } from '../log/change-log.ts';
import type { ReplicaCore } from '../replica/core.ts';
import { encodeEnvelope, encodeSnapshotBody, snapshotHash, type SkeletonEntry } from './snapshot-codec.ts';

/** What {@link createSnapshot} needs of a replica. */
export interface SnapshotSource {
  readonly dbId: DbId;
  readonly identity: Identity;
  readonly internals: ReplicaCore;
}

/** Options for {@link createSnapshot}. */
export interface CreateSnapshotOptions {
  /** Who signs (default the replica's identity). Receivers accept only keys they trust. */
  readonly identity?: Identity;
  /**
   * Covered changes to embed whole, besides genesis: what a replica started from the snapshot
   * needs beyond doc states (history views; membership changes a rules validator reads).
   */
  readonly include?: (entry: LogEntry) => boolean;
}

/**
 * Captures and signs the replica's state. Everything is read synchronously, so the snapshot is
 * one consistent cut; a batch whose write is still in flight may be in it (its changes are
 * signed and valid either way, and a replica that misses them gets them by sync).
 */
export async function createSnapshot(
  replica: SnapshotSource,
  options: CreateSnapshotOptions = {},
): Promise<Uint8Array> {
  const { log, state, clock, keyring } = replica.internals;
  // A snapshot holds document states in clear: for an encrypted database it would undo the
  // encryption wherever it is stored or sent (docs/ARCHITECTURE.md, end-to-end encryption).
  if (keyring?.encrypted === true)
    throw new WeftError('E_INVALID_ARGUMENT', 'snapshots of an end-to-end encrypted database are not supported');
  const entries = sortTopological([...log.byHash.values()]);
  const genesis = log.get(replica.dbId as string as ChangeHash);
  if (genesis === undefined || genesis.covered === 'pruned')
    throw new WeftError('E_NOT_FOUND', 'the replica does not hold its genesis change');
  const changes: SkeletonEntry[] = entries.map((e) => ({
    hash: e.sc.hash,
    author: e.sc.change.author,
    seq: e.sc.change.seq,
    deps: e.sc.change.deps,
    status: e.status,
    reason: e.reason,
  }));
  const include = options.include;
  const bodies =
    include === undefined
      ? []
      : entries.filter((e) => e !== genesis && e.covered !== 'pruned' && include(e)).map((e) => e.sc.bytes);
  const keys = [...state.docs.keys()].sort();
  const docs = keys.map((k) => encodeDocState(state.docs.get(k)!, state.seqHooks));
  const body = encodeSnapshotBody({
    db: replica.dbId,
    at: { ms: clock.latest.ms, c: clock.latest.c },
    genesis: genesis.sc.bytes,
    changes,
    bodies,
    docs,
  });
  const identity = options.identity ?? replica.identity;
  const hash = snapshotHash(body);
  const sig = await identity.sign(hash);
  return encodeEnvelope({ body, hash, signer: identity.author, sig });
}
