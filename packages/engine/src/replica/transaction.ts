/**
 * The builder `replica.change(tx => …)` hands to the app. It only records ops; reads see the
 * state before the change. Everything recorded becomes one signed change.
 */
import { WeftError } from '../errors.ts';
import { toBase64Url } from '../bytes.ts';
import { randomBytes } from '../host.ts';
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { isDocId, isName, type CollectionName, type DocId } from '../ids.ts';
import type { DocOp, FieldPath } from '../change/op.ts';
import { validateOp } from '../change/change.ts';
import type { DocState } from '../crdt/doc-state.ts';
import { orSetTags, type OrSet } from '../crdt/or-set.ts';
import type { Text } from '../crdt/sequence/text.ts';
import type { List } from '../crdt/sequence/list.ts';

/** A fresh random document id: 128 bits, URL-safe base64. */
export function newDocId(random: (n: number) => Uint8Array = randomBytes): DocId {
  return toBase64Url(random(16)) as DocId;
}

/** Plain field values a doc can be written with. */
export type FieldValues = { readonly [field: string]: CanonicalValue };

/** What the transaction needs from the replica: current doc states, for observed-remove tags. */
export interface TxHost {
  docState(c: CollectionName, d: DocId): DocState | undefined;
  /** Randomness port for new doc ids. */
  readonly random: (n: number) => Uint8Array;
  /** The live sequence of a text or list field (edits apply to it as they are recorded). */
  sequence(c: CollectionName, d: DocId, field: string, kind: 'text' | 'list'): Text | List;
  /** Reserves `n` element ids of this change; returns the first. */
  allocate(n: number): number;
  /** The author of the change being built. */
  readonly author: string;
}

/** Edits to a text field inside a transaction. */
export interface TextEdits {
  insert(index: number, text: string): void;
  delete(index: number, length: number): void;
}

/** Edits to a list field inside a transaction. */
export interface ListEdits {
  insert(index: number, ...items: CanonicalValue[]): void;
  delete(index: number, length?: number): void;
  move(from: number, to: number): void;
}

function target(collection: string, id: string): { c: CollectionName; d: DocId } {
  if (!isName(collection)) throw new WeftError('E_INVALID_ARGUMENT', `invalid collection name "${collection}"`);
  if (!isDocId(id)) throw new WeftError('E_INVALID_ARGUMENT', `invalid document id "${id}"`);
  return { c: collection, d: id };
}

function toPath(field: string | FieldPath): FieldPath {
  const p = typeof field === 'string' ? field.split('.') : field;
  for (const seg of p)
    if (!isName(seg) || seg === 'id') throw new WeftError('E_INVALID_ARGUMENT', `invalid field name "${p.join('.')}"`);
  return p;
}

function checkValue(v: CanonicalValue): void {
  try {
    encode(v);
  } catch (err) {
    throw new WeftError('E_INVALID_ARGUMENT', `value cannot be stored: ${(err as Error).message}`);
  }
}

/** The transaction builder. */
export class Transaction {
  /** The ops recorded so far. */
  readonly ops: DocOp[] = [];
  /** True once a text or list edit changed a live sequence (the replica undoes it on failure). */
  editedSequences = false;

  constructor(private readonly host: TxHost) {}

  /** Creates a document (random id unless given) with the given fields; returns its id. */
  insert(collection: string, fields: FieldValues, id: string = newDocId(this.host.random)): DocId {
    const { c, d } = target(collection, id);
    this.update(c, d, fields);
    if (Object.keys(fields).length === 0) this.push({ k: 'set', c, d, p: ['_created'], v: true });
    return d;
  }

  /** Sets top-level fields (each a last-writer-wins register). */
  update(collection: string, id: string, fields: FieldValues): void {
    target(collection, id);
    for (const [name, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      this.set(collection, id, name, v);
    }
  }

  /** Sets one field, or a nested path (`"address.city"` or `["address", "city"]`). */
  set(collection: string, id: string, field: string | FieldPath, value: CanonicalValue): void {
    const { c, d } = target(collection, id);
    checkValue(value);
    this.push({ k: 'set', c, d, p: toPath(field), v: value });
  }

  /** Adds `by` (default 1, may be negative) to a counter field. */
  increment(collection: string, id: string, field: string | FieldPath, by = 1): void {
    const { c, d } = target(collection, id);
    if (!Number.isSafeInteger(by)) throw new WeftError('E_INVALID_ARGUMENT', 'increment must be an integer');
    this.push({ k: 'inc', c, d, p: toPath(field), n: by });
  }

  /** Adds `value` to a set field. */
  addToSet(collection: string, id: string, field: string | FieldPath, value: CanonicalValue): void {
    const { c, d } = target(collection, id);
    checkValue(value);
    this.push({ k: 'add', c, d, p: toPath(field), v: value });
  }

  /** Removes `value` from a set field (only the adds this replica has seen: add wins). */
  removeFromSet(collection: string, id: string, field: string | FieldPath, value: CanonicalValue): void {
    const { c, d } = target(collection, id);
    checkValue(value);
    const path = toPath(field);
    const doc = this.host.docState(c, d);
    const set = doc?.f[`set:${path.join('.')}`] as OrSet | undefined;
    // Adds earlier in this same change are observed implicitly (see doc-state.ts, invariant 5).
    const tags = set === undefined ? [] : orSetTags(set, value);
    this.push({ k: 'rem', c, d, p: path, v: value, t: tags });
  }

  /** Deletes a document (a tombstone; a later write restores it). */
  delete(collection: string, id: string): void {
    const { c, d } = target(collection, id);
    this.push({ k: 'del', c, d });
  }

  /** Edits a text field: insert and delete at code-point indexes. */
  text(collection: string, id: string, field: string): TextEdits {
    const { c, d } = target(collection, id);
    const seq = (): Text => this.host.sequence(c, d, field, 'text') as Text;
    const push = (x: unknown): void => this.pushSeq(c, d, field, x as CanonicalValue);
    return {
      insert: (index, text) => {
        if (text.length === 0) return;
        const start = this.host.allocate([...text].length);
        this.editedSequences = true;
        push(seq().insert(index, text, this.host.author, start));
      },
      delete: (index, length) => {
        if (length <= 0) return;
        this.editedSequences = true;
        push(seq().delete(index, length, this.host.author));
      },
    };
  }

  /** Edits a list field: insert, delete and move elements (values or nested objects). */
  list(collection: string, id: string, field: string): ListEdits {
    const { c, d } = target(collection, id);
    const seq = (): List => this.host.sequence(c, d, field, 'list') as List;
    const push = (x: unknown): void => this.pushSeq(c, d, field, x as CanonicalValue);
    return {
      insert: (index, ...items) => {
        if (items.length === 0) return;
        for (const v of items) checkValue(v);
        const start = this.host.allocate(items.length);
        this.editedSequences = true;
        push(seq().insert(index, items, this.host.author, start));
      },
      delete: (index, length = 1) => {
        this.editedSequences = true;
        push(seq().delete(index, length, this.host.author));
      },
      move: (from, to) => {
        const start = this.host.allocate(1);
        this.editedSequences = true;
        push(seq().move(from, to, this.host.author, start));
      },
    };
  }

  private pushSeq(c: CollectionName, d: DocId, field: string, x: CanonicalValue): void {
    this.push({ k: 'seq', c, d, p: toPath(field), x });
  }

  /** Records a raw op (used by typed field helpers such as text and list). */
  push(op: DocOp): void {
    validateOp(op, this.ops.length + 1);
    this.ops.push(op);
  }
}
