/**
 * Where a replica keeps the snapshot it stands on, and how a cold start rebuilds the covered
 * part of the log from it.
 *
 *   snapshots  utf8("current") → the signed snapshot bytes (as received or created)
 *
 * Loading never re-verifies (local storage is trusted, like change records) and never applies
 * an op: covered changes come back as DAG stubs, and the snapshot's doc states become the
 * materializer's rebuild base. Stored change records of covered changes (kept history) are
 * then loaded as usual and replace their stubs (ChangeLog.add).
 */
import { utf8 } from '../bytes.ts';
import type { DbId, ChangeHash } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import type { ChangeLog } from '../log/change-log.ts';
import { decodeDocState } from '../crdt/doc-codec.ts';
import { docKey, type DocState } from '../crdt/doc-state.ts';
import type { Materializer } from '../replica/materializer.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import type { SkeletonEntry, SnapshotBody } from './snapshot-codec.ts';
import { readTrustedSnapshot } from './verify-snapshot.ts';

/** Storage key of the current snapshot. */
export const CURRENT_SNAPSHOT_KEY = utf8('current');

/** The write that makes `bytes` the replica's current snapshot. */
export function putCurrentSnapshot(bytes: Uint8Array): WriteOp {
  return { type: 'put', store: 'snapshots', key: CURRENT_SNAPSHOT_KEY, value: bytes };
}

/** A covered change as a body-less stub the change log can hold. */
export function stubOf(e: SkeletonEntry, db: DbId): SignedChange {
  const none = new Uint8Array(0);
  const genesis = (e.hash as string) === db;
  return {
    hash: e.hash,
    change: {
      v: 1,
      db: genesis ? null : db,
      author: e.author,
      seq: e.seq,
      deps: e.deps,
      hlc: { ms: 0, c: 0 },
      schema: null,
      ops: [],
    },
    body: none,
    sig: none,
    bytes: none,
  };
}

/** Records every skeleton entry the log does not hold yet as a stub. */
export function addSkeleton(log: ChangeLog, body: SnapshotBody): void {
  for (const e of body.changes) if (!log.has(e.hash)) log.addCovered(stubOf(e, body.db), e.status, e.reason);
}

/** A rebuild base over the snapshot's docs, decoded on first use (rebuilds are rare). */
export function snapshotBase(body: SnapshotBody, state: Materializer): (key: string) => DocState | undefined {
  let byKey: Map<string, Uint8Array> | undefined;
  return (key) => {
    if (byKey === undefined) {
      byKey = new Map();
      for (const bytes of body.docs) {
        const doc = decodeDocState(bytes, state.seqHooks);
        byKey.set(docKey(doc.c, doc.d), bytes);
      }
    }
    const bytes = byKey.get(key);
    return bytes === undefined ? undefined : decodeDocState(bytes, state.seqHooks);
  };
}

/**
 * Cold-start hook (`loadCore`): when storage holds a snapshot, adds its skeleton to the log and
 * installs its docs as the rebuild base. Returns the covered hashes, or undefined.
 */
export async function loadSnapshotBase(
  storage: StorageAdapter,
  core: { readonly log: ChangeLog; readonly state: Materializer },
): Promise<ReadonlySet<ChangeHash> | undefined> {
  const bytes = await storage.get('snapshots', CURRENT_SNAPSHOT_KEY);
  if (bytes === undefined) return undefined;
  const { body } = readTrustedSnapshot(bytes);
  addSkeleton(core.log, body);
  core.state.base = snapshotBase(body, core.state);
  return new Set(body.changes.map((e) => e.hash));
}
