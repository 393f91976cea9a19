/**
 * `collection(fields, { allow, validate, indexes })`: one collection's declaration, before
 * defineSchema compiles it. Kept as given so defineSchema can check it against the whole schema.
 */
import type { AllowRules } from './rule-ast.ts';
import type { ConstraintRule } from './constraints.ts';
import type { FieldsShape } from './fields.ts';
import type { FieldPaths } from './infer.ts';

/** An index the query module maintains: fields most significant first (dotted paths). */
export interface IndexDecl<P extends string = string> {
  /** Unique in the schema; default `"<collection>.<field>,<field>…"`. */
  readonly name?: string;
  readonly fields: readonly P[];
}

/** Options of {@link collection}. */
export interface CollectionOptions<F extends FieldsShape = FieldsShape> {
  /** Permission rules per action (rule-ast.ts); missing actions fall back to `write`, then allow. */
  readonly allow?: AllowRules;
  /** Constraints per field path, e.g. `{ title: maxLength(200) }`; same data as builder methods. */
  readonly validate?: { readonly [P in FieldPaths<F>]?: ConstraintRule | readonly ConstraintRule[] };
  /** Secondary indexes for queries. */
  readonly indexes?: readonly IndexDecl<FieldPaths<F>>[];
}

/** A declared collection: its fields (with their TypeScript types) and options. */
export interface CollectionDef<F extends FieldsShape = FieldsShape> {
  readonly fields: F;
  readonly options: CollectionOptions<F>;
}

/** Declares a collection of documents with typed `fields`. */
export function collection<F extends FieldsShape>(fields: F, options: CollectionOptions<F> = {}): CollectionDef<F> {
  return Object.freeze({ fields, options });
}
