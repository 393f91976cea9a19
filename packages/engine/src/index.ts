/**
 * @weft/engine: the pure-TypeScript core of Weft. Signed Merkle-DAG change log, CRDT documents,
 * the sync protocol, and the ports (storage, transport, signing, clock) adapters plug into.
 */
export * from './errors.ts';
export * from './ids.ts';
export { toHex, fromHex, toBase64Url, compareBytes, equalBytes } from './bytes.ts';
export { encode, decode, MAX_DEPTH, type CanonicalValue } from './encoding/canonical.ts';
export * from './clock/hlc.ts';
export * from './crypto/index.ts';
export type { Change, SignedChange, ChangeLimits } from './change/change.ts';
export { DEFAULT_CHANGE_LIMITS, CHANGE_DOMAIN, encodeChangeBody } from './change/change.ts';
export { signChange, parseChange, verifyChange, hashBody, createGenesis } from './change/sign.ts';
export type * from './change/op.ts';
export { opId } from './change/op.ts';
export type { ChangeStatus, LogEntry, VersionVector, EquivocationProof } from './log/change-log.ts';
export { DEFAULT_PENDING_LIMITS, type PendingLimits } from './log/pending-buffer.ts';
export type { DocState, FieldState, SequenceHooks } from './crdt/doc-state.ts';
export { materialize } from './crdt/doc-state.ts';
export type { Stamp } from './crdt/stamp.ts';
export { compareStamp } from './crdt/stamp.ts';
export * from './storage/storage-port.ts';
export { createMemoryStorage, type MemoryStorageOptions } from './storage/memory-storage.ts';
export type { Transport } from './sync/transport.ts';
export { createMemoryTransportPair } from './sync/memory-transport.ts';
export { TransportEnds } from './sync/transport-ends.ts';
export {
  socketTransport,
  SOCKET_OPEN,
  CLOSE_TOO_BIG,
  DEFAULT_SOCKET_FRAME_BYTES,
  type SocketLike,
  type SocketTransportOptions,
} from './sync/socket-transport.ts';
export * from './sync/relay-auth.ts';
export { authenticatePeer, PEER_AUTH_DOMAIN, type PeerAuthOptions } from './sync/peer-auth.ts';
export {
  connectRelay,
  relaySyncUrl,
  type RelayLink,
  type RelayLinkOptions,
  type RelayLinkStatus,
} from './sync/relay-client.ts';
export * from './sync/messages.ts';
export { SyncSession, type SyncOptions, type SyncStats, type Scheduler } from './sync/session.ts';
export * from './sync/presence.ts';
export {
  createReplica,
  Replica,
  type ReplicaOptions,
  type DocValue,
  type IngestInput,
  type PreparedBatch,
} from './replica/replica.ts';
export { openReplica, type ReplicaOpening } from './replica/replica-opening.ts';
export { runStoredQuery } from './query/stored-query.ts';
export type { KeyChangeOptions } from './encryption/replica-keys.ts';
export type { IngestResult, IngestStatus } from './replica/core.ts';
export { Transaction, newDocId, type FieldValues } from './replica/transaction.ts';
export type { Effect, CommitEvent, CommitListener } from './replica/effects.ts';
export type { ChangeValidator, ValidationContext, Verdict } from './replica/validator.ts';
export type { CommitExtension, BatchContext } from './replica/extension.ts';
export type { Materializer } from './replica/materializer.ts';
export type { Query, Predicate, ComparisonOp, OrderKey, IncludeSpec, Cursor } from './query/query-spec.ts';
export { COMPARISON_OPS, checkQuery, parseQuery, emptyQuery } from './query/query-spec.ts';
export { cmp, eq, ne, lt, lte, gt, gte, isIn, contains, startsWith, and, or, matches } from './query/predicate.ts';
export {
  QueryBuilder,
  IncludeBuilder,
  query,
  type QueryHost,
  type IncludeOptions,
  type Nested,
} from './query/query-builder.ts';
export { runQuery, explainQuery, type QuerySource, type IndexCatalog } from './query/run-query.ts';
export type { QueryExplain } from './query/planner.ts';
export type { Row, DocSource, DocFields } from './query/rows.ts';
export { cursorOf } from './query/row-order.ts';
export { compareValues, valuesEqual, typeRank } from './query/value-order.ts';
export { encodeKeyValue, encodeKeyValues, decodeKeyValues } from './query/key-encoding.ts';
export { SortedIndex, checkIndexDefinitions, type IndexDefinition } from './query/sorted-index.ts';
export { IndexExtension, type IndexLoadKind } from './query/index-extension.ts';
export { LiveQuery, type LiveDiff, type TouchedDoc } from './query/live-query.ts';
export { ReplicaQueries, queriesOf, setupQueries, type QueryReplica } from './query/replica-queries.ts';
export { EventStream, type StreamEvent, type EventsOptions } from './events/event-stream.ts';
export { EventLog, DEFAULT_RETAIN_EFFECTS, type EventLogOptions } from './events/event-log.ts';
export { compareCheckpoints, parseCheckpoint, type Checkpoint } from './events/checkpoint.ts';
export { createSnapshot, type CreateSnapshotOptions, type SnapshotSource } from './snapshot/create-snapshot.ts';
export { verifySnapshot, type SnapshotTrust, type VerifiedSnapshot } from './snapshot/verify-snapshot.ts';
export { bootstrapFromSnapshot, type BootstrapOptions } from './snapshot/bootstrap.ts';
export { compact, type CompactOptions, type CompactResult, type KeepHistory } from './snapshot/compact.ts';
export { SNAPSHOT_DOMAIN } from './snapshot/snapshot-codec.ts';
export type { TextHandle, ListHandle, EditingOptions } from './replica/sequence-editing.ts';
export type { TextEdits, ListEdits } from './replica/transaction.ts';
export { sequenceHooks } from './replica/sequence-hooks.ts';
export { Text, List, EditFolder, CHANGE_STRIDE, type Anchor } from './crdt/sequence/index.ts';
export * from './schema/index.ts';
export * from './inspect/index.ts';
