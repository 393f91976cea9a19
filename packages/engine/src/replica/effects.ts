/**
 * Effects: what a committed batch did, for live queries, the event stream and devtools
 * (ingest step 10). Emitted only after the batch is durably stored.
 */
import type { WeftErrorCode } from '../errors.ts';
import type { ChangeHash, CollectionName, DocId } from '../ids.ts';

/** One effect of a committed batch. */
export type Effect =
  | { readonly type: 'docCreated'; readonly collection: CollectionName; readonly id: DocId }
  | { readonly type: 'docUpdated'; readonly collection: CollectionName; readonly id: DocId }
  | { readonly type: 'docDeleted'; readonly collection: CollectionName; readonly id: DocId }
  | { readonly type: 'changeRejected'; readonly hash: ChangeHash; readonly code: WeftErrorCode }
  | { readonly type: 'rolledBack'; readonly hash: ChangeHash; readonly code: WeftErrorCode };

/** A committed batch: the changes stored and the effects on state. */
export interface CommitEvent {
  /** Changes newly stored by this batch, in the order they were stored. */
  readonly stored: readonly ChangeHash[];
  readonly effects: readonly Effect[];
  /** True when the batch holds a change made by this replica. */
  readonly local: boolean;
  /** Whatever the ingesting caller passed as origin (a sync session passes itself). */
  readonly origin?: unknown;
}

/** A listener for commits. */
export type CommitListener = (event: CommitEvent) => void;
