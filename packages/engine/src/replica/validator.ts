/**
 * The seam for ingest steps 7-8 (schema validation and permission rules). The schema module
 * implements it; without one, every well-formed change is valid.
 */
import type { WeftErrorCode } from '../errors.ts';
import type { SignedChange } from '../change/change.ts';
import type { DocOp } from '../change/op.ts';
import type { ChangeLog } from '../log/change-log.ts';
import type { Materializer } from './materializer.ts';

/** What a validator may consult: the log (causal past) and the current state. */
export interface ValidationContext {
  readonly log: ChangeLog;
  readonly state: Materializer;
}

/** A verdict: null when valid, else the rejection code and a reason. */
export type Verdict = null | { readonly code: WeftErrorCode; readonly message: string };

/** Steps 7-8 of ingest. */
export interface ChangeValidator {
  /** The schema hash local changes carry (null for schemaless). */
  readonly schemaHash: string | null;
  /** Checks ops about to be signed locally; a non-null verdict aborts the change before signing. */
  checkLocal(ops: readonly DocOp[], ctx: ValidationContext): Verdict;
  /** Judges a causally ready change (local or remote). */
  check(sc: SignedChange, ctx: ValidationContext): Verdict;
}
