/**
 * Operations: the plain-data edits a change carries. Keys are short because ops are what the
 * log stores and ships most of; the decoded objects are used as they are, without conversion.
 *
 * Every op names its document by collection `c` and id `d`. Ops on fields name a path `p`
 * (a top-level field, or deeper for nested objects).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { CollectionName, DocId } from '../ids.ts';

/** A field path: the top-level field name, then nested object keys. */
export type FieldPath = readonly string[];

/** Set a last-writer-wins register. */
export interface SetOp {
  readonly k: 'set';
  readonly c: CollectionName;
  readonly d: DocId;
  readonly p: FieldPath;
  readonly v: CanonicalValue;
}

/** Add `n` (may be negative) to a PN-counter. */
export interface IncOp {
  readonly k: 'inc';
  readonly c: CollectionName;
  readonly d: DocId;
  readonly p: FieldPath;
  readonly n: number;
}

/** Add an element to an add-wins observed-remove set; the op's own id is the element's tag. */
export interface AddOp {
  readonly k: 'add';
  readonly c: CollectionName;
  readonly d: DocId;
  readonly p: FieldPath;
  readonly v: CanonicalValue;
}

/** Remove an element from an OR-set: only the tags the author had observed (`t`). */
export interface RemoveOp {
  readonly k: 'rem';
  readonly c: CollectionName;
  readonly d: DocId;
  readonly p: FieldPath;
  readonly v: CanonicalValue;
  /** Observed add tags, as op ids `"<changeHash>:<index>"`. */
  readonly t: readonly string[];
}

/** Tombstone a document. Wins over concurrent updates; causally later writes restore it. */
export interface DeleteDocOp {
  readonly k: 'del';
  readonly c: CollectionName;
  readonly d: DocId;
}

/** A sequence (text or list) edit; `x` is the sequence CRDT's own payload. */
export interface SeqOp {
  readonly k: 'seq';
  readonly c: CollectionName;
  readonly d: DocId;
  readonly p: FieldPath;
  readonly x: CanonicalValue;
}

/** The first op of a genesis change: names the database and makes its id unique. */
export interface GenesisOp {
  readonly k: 'genesis';
  readonly name: string;
  readonly nonce: Uint8Array;
}

/** An op that targets a document. */
export type DocOp = SetOp | IncOp | AddOp | RemoveOp | DeleteDocOp | SeqOp;

/** Any op. */
export type Op = DocOp | GenesisOp;

/** Op kinds, for validation and docs. */
export const OP_KINDS = ['set', 'inc', 'add', 'rem', 'del', 'seq', 'genesis'] as const;

/** True for ops that target a document. */
export function isDocOp(op: Op): op is DocOp {
  return op.k !== 'genesis';
}

/** The unique id of an op: its change's hash and its index in that change. */
export function opId(changeHash: string, index: number): string {
  return `${changeHash}:${index}`;
}
