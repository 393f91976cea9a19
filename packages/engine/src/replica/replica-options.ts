/** The options and plain types of a replica (see replica.ts and open-replica.ts). */
import type { ChangeHash, DbId, DocId } from '../ids.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { WallClock } from '../clock/hlc.ts';
import type { ChangeLimits, SignedChange } from '../change/change.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';
import type { PendingLimits } from '../log/pending-buffer.ts';
import type { StorageAdapter } from '../storage/storage-port.ts';
import type { SequenceHooks } from '../crdt/doc-state.ts';
import type { IngestResult } from './core.ts';
import type { ChangeValidator } from './validator.ts';
import type { Schema } from '../schema/schema.ts';
import type { EditingOptions } from './sequence-editing.ts';
import type { IndexDefinition } from '../query/sorted-index.ts';
import type { EventLogOptions } from '../events/event-log.ts';
import type { SnapshotTrust } from '../snapshot/verify-snapshot.ts';

/** Options for {@link createReplica}. */
export interface ReplicaOptions {
  /** The local user's signing identity. */
  readonly identity: Identity;
  /** Where the replica persists; defaults to memory. */
  readonly storage?: StorageAdapter;
  /** Open or join this database. Omit with `create` to make a new one. */
  readonly db?: DbId;
  /**
   * Create a new database (this identity becomes its root of authority). With `encrypted`, its
   * content is end-to-end encrypted for its members (encryption/keyring.ts); that cannot be
   * turned off later.
   */
  readonly create?: { readonly name: string; readonly encrypted?: boolean };
  /** Ed25519 implementation; defaults to WebCrypto with the @noble/curves fallback. */
  readonly ed25519?: Ed25519Port;
  /** Wall clock for the HLC (tests inject one). */
  readonly wallClock?: WallClock;
  /** Remote HLCs further ahead than this are clamped (default 24 h). */
  readonly maxDriftMs?: number;
  readonly limits?: Partial<ChangeLimits>;
  readonly pendingLimits?: Partial<PendingLimits>;
  /** Sequence CRDT hooks for text and list fields. */
  readonly sequence?: SequenceHooks;
  /** Schema and permission checks (ingest steps 7-8). */
  readonly validator?: ChangeValidator;
  /** Storage durability for commits (default strict: commits may be acknowledged to peers). */
  readonly durability?: 'strict' | 'relaxed';
  /** Signature checks in flight at once during ingest. */
  readonly verifyConcurrency?: number;
  /** Burst folding for text and list edits. */
  readonly editing?: EditingOptions;
  /** Randomness port (genesis nonce, new doc ids); defaults to crypto.getRandomValues. */
  readonly random?: (n: number) => Uint8Array;
  /** Secondary indexes (until the schema declares them): maintained per batch, persisted. */
  readonly indexes?: readonly IndexDefinition[];
  /**
   * The schema: validation, permission rules and indexes, enforced on every change (its
   * validator and index definitions are used unless `validator`/`indexes` are given).
   */
  readonly schema?: Schema;
  /** The persisted effect log behind {@link Replica.events} (retention). */
  readonly events?: EventLogOptions;
  /**
   * A store-and-forward replica, as the relay runs for databases whose schema it doesn't enforce:
   * it verifies, chains and stores every change and serves them to peers, but keeps no document
   * state (no docs, queries, indexes or event log), keeps each change in memory without its
   * decoded ops (log/lean-change.ts), and cannot write. Incompatible with `schema`, `validator`,
   * `indexes` and `snapshot` (`E_INVALID_ARGUMENT`).
   */
  readonly storeOnly?: boolean;
  /** On empty storage, start from this signed snapshot plus later changes (snapshot/bootstrap.ts). */
  readonly snapshot?: Uint8Array;
  /** Whose snapshots to believe; default the creator of `db` (snapshot/verify-snapshot.ts). */
  readonly snapshotTrust?: SnapshotTrust;
}

/** A document as returned by reads: its id plus its visible fields. */
export type DocValue = { readonly id: DocId } & { readonly [field: string]: CanonicalValue };

/** One input to {@link Replica.ingestMany}: wire bytes, optionally with the hash they must have. */
export type IngestInput = Uint8Array | { readonly bytes: Uint8Array; readonly hash?: ChangeHash };

/** A batch after ingest steps 1-4, ready to commit. */
export interface PreparedBatch {
  readonly results: (IngestResult | undefined)[];
  readonly verified: readonly { readonly i: number; readonly sc: SignedChange }[];
}
