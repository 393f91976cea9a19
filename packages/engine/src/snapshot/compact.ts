/**
 * Compaction (DESIGN §5): once every known peer has acknowledged a snapshot, the change records
 * it covers can go, except those history views still need.
 *
 * Rules:
 *  1. The snapshot must be trusted (verify-snapshot.ts) and describe this replica's own past:
 *     every covered change is held here with the same verdict. Otherwise `E_INVALID_ARGUMENT`.
 *  2. Nothing is pruned unless each acknowledged version vector in `ackedBy` (one per known
 *     peer, e.g. the `vv` of its last sync credit) covers the snapshot's version vector: a peer
 *     that lacks a covered change could no longer get it from us.
 *  3. Kept: the genesis change, the newest `keepHistory.last` covered changes (topological
 *     order), covered changes with an HLC at or after `keepHistory.sinceMs`, and whatever `keep`
 *     selects (e.g. membership changes a rules validator re-reads). Everything not covered stays.
 *  4. Pruning is one atomic write: the snapshot becomes the replica's base, the pruned change
 *     records and their author/seq index entries are deleted. In memory, pruned changes become
 *     DAG stubs (log/change-log.ts invariant 5) and covered verdicts become final.
 *
 * Serving peers afterwards: sync sends only changes it still has (`missingFor` skips stubs). A
 * peer that acknowledged the snapshot needs nothing older. A new peer, or one that never
 * acknowledged it, must first be given the snapshot bytes (out of band or by a future
 * `snapshot` sync message) and start from them with `createReplica({ snapshot })`; it then
 * syncs the later changes normally.
 */
import { WeftError } from '../errors.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';
import type { LogEntry, VersionVector } from '../log/change-log.ts';
import { chainKey, changeKey } from '../replica/replica-store.ts';
import type { WriteOp } from '../storage/storage-port.ts';
import type { SnapshotSource } from './create-snapshot.ts';
import { putCurrentSnapshot, snapshotBase } from './snapshot-store.ts';
import { verifySnapshot, type SnapshotTrust } from './verify-snapshot.ts';

/** What compaction keeps of the covered history. */
export interface KeepHistory {
  /** Keep this many of the newest covered changes. */
  readonly last?: number;
  /** Keep covered changes whose HLC wall time is at or after this (ms since epoch). */
  readonly sinceMs?: number;
}

/** Options for {@link compact}. */
export interface CompactOptions {
  /** A snapshot of this replica's past (from {@link createSnapshot}, here or on a trusted peer). */
  readonly snapshot: Uint8Array;
  /** The acknowledged version vector of every known peer. */
  readonly ackedBy: readonly VersionVector[];
  readonly keepHistory?: KeepHistory;
  /** Covered changes to keep whatever their age. */
  readonly keep?: (entry: LogEntry) => boolean;
  /** Trusted snapshot signers (default: the database creator). */
  readonly trustedKeys?: SnapshotTrust['keys'];
}

/** What {@link compact} did. */
export interface CompactResult {
  /** False when some peer has not acknowledged the snapshot yet: nothing was pruned. */
  readonly acknowledged: boolean;
  readonly pruned: number;
  /** Covered changes whose records were kept. */
  readonly kept: number;
}

/** Prunes the change records `options.snapshot` covers; see the rules above. */
export async function compact(replica: SnapshotSource, options: CompactOptions): Promise<CompactResult> {
  const v = await verifySnapshot(options.snapshot, {
    db: replica.dbId,
    ...(options.trustedKeys === undefined ? {} : { keys: options.trustedKeys }),
  });
  const covered = v.body.changes;
  const snapVV: VersionVector = {};
  for (const e of covered) snapVV[e.author] = Math.max(snapVV[e.author] ?? 0, e.seq);
  const acked = options.ackedBy.every((vv) => Object.keys(snapVV).every((a) => (vv[a] ?? 0) >= snapVV[a]!));
  if (!acked) return { acknowledged: false, pruned: 0, kept: 0 };

  const core = replica.internals;
  const entries: LogEntry[] = [];
  for (const c of covered) {
    const e = core.log.get(c.hash);
    if (e === undefined || e.status !== c.status || e.sc.change.author !== (c.author as AuthorId))
      throw new WeftError('E_INVALID_ARGUMENT', `snapshot covers ${c.hash}, which this replica holds differently`);
    entries.push(e);
  }
  const keepSet = new Set<ChangeHash>([v.genesis.hash]);
  const { last = 0, sinceMs } = options.keepHistory ?? {};
  for (let i = Math.max(0, entries.length - last); i < entries.length; i++) keepSet.add(entries[i]!.sc.hash);
  for (const e of entries) {
    if (e.covered === 'pruned') continue;
    if ((sinceMs !== undefined && e.sc.change.hlc.ms >= sinceMs) || options.keep?.(e) === true) keepSet.add(e.sc.hash);
  }

  const writes: WriteOp[] = [putCurrentSnapshot(options.snapshot)];
  const prune: LogEntry[] = [];
  for (const e of entries) {
    if (keepSet.has(e.sc.hash) || e.covered === 'pruned') continue;
    prune.push(e);
    const c = e.sc.change;
    writes.push({ type: 'delete', store: 'changes', key: changeKey(e.sc.hash) });
    writes.push({ type: 'delete', store: 'chain', key: chainKey(c.author, c.seq, e.sc.hash) });
  }
  // Covered verdicts become final and rebuilds start from the snapshot before the write, so no
  // batch committed meanwhile can flip or re-apply them; undone if the write fails.
  const before = entries.map((e) => e.covered);
  const oldBase = core.state.base;
  for (const e of entries) e.covered ??= 'kept';
  core.state.base = snapshotBase(v.body, core.state);
  try {
    await core.storage.write(writes, { durability: 'strict' });
  } catch (err) {
    entries.forEach((e, i) => {
      const b = before[i];
      if (b === undefined) delete e.covered;
      else e.covered = b;
    });
    core.state.base = oldBase;
    throw err;
  }
  for (const e of prune) core.log.prune(e.sc.hash);
  return { acknowledged: true, pruned: prune.length, kept: entries.length - prune.length };
}
