/**
 * The seam for ingest steps 7-8 (schema validation and permission rules). The schema module
 * implements it; without one, every well-formed change is valid.
 */
import type { WeftErrorCode } from '../errors.ts';
import type { ChangeHash, DbId } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import type { DocOp } from '../change/op.ts';
import type { ChangeLog, ChangeStatus } from '../log/change-log.ts';
import type { Materializer } from './materializer.ts';

/** What a validator may consult: the log (causal past) and the current state. */
export interface ValidationContext {
  readonly dbId: DbId;
  readonly log: ChangeLog;
  readonly state: Materializer;
  /**
   * True when the change's text/list ops already changed the live state (a local edit burst or
   * transaction): the validator must read those docs from history, not from the live state.
   */
  readonly preApplied?: boolean;
}

/** What a validator may do when a newly stored change affects earlier verdicts. */
export interface ReconsiderContext extends ValidationContext {
  /**
   * Changes a stored change's verdict (a late revocation rolls it back, or a revoked revoker
   * restores it). The core updates the log and reports it; the change's docs are rebuilt once
   * reconsideration ends, or at once for the keys passed to {@link rebuildNow}.
   */
  flip(hash: ChangeHash, status: ChangeStatus, code: WeftErrorCode | null): void;
  /** Rebuilds these docs now (membership docs that later judgements will read). */
  rebuildNow(keys: readonly string[]): void;
}

/** A verdict: null when valid, else the rejection code and a reason. */
export type Verdict = null | { readonly code: WeftErrorCode; readonly message: string };

/** Steps 7-8 of ingest. */
export interface ChangeValidator {
  /** The schema hash local changes carry (null for schemaless). */
  readonly schemaHash: string | null;
  /** Checks ops `author` is about to sign; a non-null verdict aborts the change before signing. */
  checkLocal(ops: readonly DocOp[], ctx: ValidationContext, author: string): Verdict;
  /** Judges a causally ready change (local or remote). */
  check(sc: SignedChange, ctx: ValidationContext): Verdict;
  /** True when changes tagged with this schema hash can be judged (unknown ones wait). */
  knowsSchema?(hash: string | null): boolean;
  /**
   * The change's doc ops rewritten for the current schema version (renamed fields, dropped
   * ones as null), or undefined when no translation is needed.
   */
  translate?(sc: SignedChange): readonly (DocOp | null)[] | undefined;
  /** Called after `sc` is stored: re-judges what it may affect, flipping verdicts via `ctx`. */
  reconsider?(sc: SignedChange, ctx: ReconsiderContext): void;
}
