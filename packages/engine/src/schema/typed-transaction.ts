/**
 * A typed view of the untyped {@link Transaction}: the same object, with signatures that only
 * accept existing collections, existing fields and correctly typed values. Counters change only
 * through `increment`, sets only through `addToSet`/`removeFromSet`, text and list fields only
 * through `text`/`list` edits.
 */
import type { DocOp } from '../change/op.ts';
import type { DocId } from '../ids.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { TextEdits, Transaction } from '../replica/transaction.ts';
import type {
  CollectionsOf,
  FieldAt,
  FieldsOf,
  InsertFields,
  PathsOfKind,
  PayloadOf,
  UpdateFields,
  WriteValue,
} from './infer.ts';

type Lww = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'ref' | 'object';

/** Paths of collection `C` that `set` accepts (registers, nested ones included). */
export type SettablePath<S, C extends CollectionsOf<S>> = PathsOfKind<FieldsOf<S, C>, Lww>;
/** Paths of counter fields. */
export type CounterPath<S, C extends CollectionsOf<S>> = PathsOfKind<FieldsOf<S, C>, 'counter'>;
/** Paths of set fields. */
export type SetPath<S, C extends CollectionsOf<S>> = PathsOfKind<FieldsOf<S, C>, 'set'>;
/** Paths of text fields. */
export type TextPath<S, C extends CollectionsOf<S>> = PathsOfKind<FieldsOf<S, C>, 'text'>;
/** Paths of list fields. */
export type ListPath<S, C extends CollectionsOf<S>> = PathsOfKind<FieldsOf<S, C>, 'list'>;

/** Edits to a list field whose elements have type `T`. */
export interface TypedListEdits<T extends CanonicalValue> {
  insert(index: number, ...items: T[]): void;
  delete(index: number, length?: number): void;
  move(from: number, to: number): void;
}

/** The element value of the set or list field at `P`. */
export type SetElement<S, C extends CollectionsOf<S>, P extends string> = WriteValue<
  PayloadOf<FieldAt<FieldsOf<S, C>, P>>
>;

/** The typed transaction for schema type `S` (`typeof schema`). */
export interface TypedTransaction<S> {
  /** The ops recorded so far. */
  readonly ops: readonly DocOp[];
  /** Creates a document (random id unless given) with every required field; returns its id. */
  insert<C extends CollectionsOf<S>>(collection: C, fields: InsertFields<FieldsOf<S, C>>, id?: string): DocId;
  /** Sets register fields of a document. */
  update<C extends CollectionsOf<S>>(collection: C, id: string, fields: UpdateFields<FieldsOf<S, C>>): void;
  /** Sets one register field, or a nested one (`"address.city"`). */
  set<C extends CollectionsOf<S>, P extends SettablePath<S, C>>(
    collection: C,
    id: string,
    field: P,
    value: WriteValue<FieldAt<FieldsOf<S, C>, P>>,
  ): void;
  /** Adds `by` (default 1, may be negative) to a counter field. */
  increment<C extends CollectionsOf<S>, P extends CounterPath<S, C>>(
    collection: C,
    id: string,
    field: P,
    by?: number,
  ): void;
  /** Adds `value` to a set field. */
  addToSet<C extends CollectionsOf<S>, P extends SetPath<S, C>>(
    collection: C,
    id: string,
    field: P,
    value: SetElement<S, C, P>,
  ): void;
  /** Removes `value` from a set field. */
  removeFromSet<C extends CollectionsOf<S>, P extends SetPath<S, C>>(
    collection: C,
    id: string,
    field: P,
    value: SetElement<S, C, P>,
  ): void;
  /** Edits a text field: insert and delete at code-point indexes. */
  text<C extends CollectionsOf<S>>(collection: C, id: string, field: TextPath<S, C>): TextEdits;
  /** Edits a list field with typed elements. */
  list<C extends CollectionsOf<S>, P extends ListPath<S, C>>(
    collection: C,
    id: string,
    field: P,
  ): TypedListEdits<SetElement<S, C, P> & CanonicalValue>;
  /** Deletes a document. */
  delete<C extends CollectionsOf<S>>(collection: C, id: string): void;
  /** Records a raw op (text and list helpers). */
  push(op: DocOp): void;
}

/** The same transaction, typed by schema type `S` (`typed<typeof schema>(tx)`); zero-cost. */
export function typed<S>(tx: Transaction): TypedTransaction<S> {
  return tx as unknown as TypedTransaction<S>;
}
