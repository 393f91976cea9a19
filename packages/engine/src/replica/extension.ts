/**
 * Commit extensions: derived data that must be written atomically with the batch that caused
 * it (secondary indexes, the persisted event log). An extension sees the batch's effects and
 * the new state before the storage write, and may add writes to it.
 */
import type { ChangeHash } from '../ids.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import type { Effect } from './effects.ts';
import type { Materializer } from './materializer.ts';

/** What an extension sees of a batch about to be written. */
export interface BatchContext {
  /** Changes this batch stores, in order. */
  readonly stored: readonly ChangeHash[];
  readonly effects: readonly Effect[];
  readonly state: Materializer;
  /** The batch's writes; append to them. */
  readonly writes: WriteOp[];
  /** True when the batch holds a change made by this replica. */
  readonly local: boolean;
}

/** A commit extension. */
export interface CommitExtension {
  /** Adds writes for a batch (called inside the commit section, before the write). */
  onBatch?(ctx: BatchContext): void;
  /** The batch's write failed and the replica reloaded: drop anything staged in onBatch. */
  onAbort?(): void;
  /** The batch is durable. */
  onCommitted?(ctx: BatchContext): void;
  /** Cold start or reload: rebuild in-memory state from storage. */
  load?(storage: StorageAdapter, state: Materializer): Promise<void>;
}
