/**
 * Declarative migration steps (`addField`, `renameField`, …): plain data that travels inside
 * the new schema's canonical form, with type parameters that let `schema.migrate` infer the new
 * document types. Field names in steps are top-level names; reshape nested objects with
 * `changeField` on the object.
 */
import { WeftError } from '../errors.ts';
import type { AllowRules } from './rule-ast.ts';
import type { FieldSpec } from './field-spec.ts';
import type { CollectionDef } from './collection.ts';
import { FieldBuilder, type AnyField, type FieldsShape } from './fields.ts';
import type { SchemaShape, Simplify } from './infer.ts';

/** A step as data. */
export type MigrationStepData =
  | { readonly s: 'addField'; readonly c: string; readonly f: string; readonly spec: FieldSpec }
  | { readonly s: 'renameField'; readonly c: string; readonly from: string; readonly to: string }
  | { readonly s: 'dropField'; readonly c: string; readonly f: string }
  | { readonly s: 'changeField'; readonly c: string; readonly f: string; readonly spec: FieldSpec }
  | { readonly s: 'changeRule'; readonly c: string; readonly allow: AllowRules }
  | {
      readonly s: 'addCollection';
      readonly c: string;
      readonly fields: Readonly<Record<string, FieldSpec>>;
      readonly allow?: AllowRules;
      readonly validate?: unknown;
      readonly indexes?: unknown;
    }
  | { readonly s: 'dropCollection'; readonly c: string };

/** Type-level tags of a step (never set at runtime). */
interface Tagged<T> {
  readonly _step?: T;
}

/** Adds an optional or defaulted field (old docs read its default). */
export type AddFieldStep<C extends string, N extends string, F> = MigrationStepData & Tagged<['add', C, N, F]>;
/** Renames a field; ops are translated both ways. */
export type RenameFieldStep<C extends string, A extends string, B extends string> = MigrationStepData &
  Tagged<['rename', C, A, B]>;
/** Drops a field; its old ops are dropped on translation. */
export type DropFieldStep<C extends string, N extends string> = MigrationStepData & Tagged<['drop', C, N]>;
/** Replaces a field's spec with one of the same type (constraints, default, sub-fields). */
export type ChangeFieldStep<C extends string, N extends string, F> = MigrationStepData & Tagged<['change', C, N, F]>;
/** Replaces a collection's permission rules. */
export type ChangeRuleStep<C extends string> = MigrationStepData & Tagged<['rule', C]>;
/** Adds a collection. */
export type AddCollectionStep<C extends string, F> = MigrationStepData & Tagged<['addC', C, F]>;
/** Drops a collection; its old ops are dropped on translation. */
export type DropCollectionStep<C extends string> = MigrationStepData & Tagged<['dropC', C]>;

/** Any step. */
export type MigrationStep = MigrationStepData & Tagged<unknown>;

function specOf(field: AnyField, what: string): FieldSpec {
  if (!(field instanceof FieldBuilder)) throw new WeftError('E_SCHEMA', `${what} takes a field builder`);
  return field.spec;
}

/** Adds field `name` to `collection`; it must be optional, have a default, or be a container. */
export function addField<C extends string, N extends string, F extends AnyField>(
  collection: C,
  name: N,
  field: F,
): AddFieldStep<C, N, F> {
  return { s: 'addField', c: collection, f: name, spec: specOf(field, 'addField') };
}

/** Renames field `from` of `collection` to `to`. */
export function renameField<C extends string, A extends string, B extends string>(
  collection: C,
  from: A,
  to: B,
): RenameFieldStep<C, A, B> {
  return { s: 'renameField', c: collection, from, to };
}

/** Drops field `name` of `collection` (and indexes that use it). */
export function dropField<C extends string, N extends string>(collection: C, name: N): DropFieldStep<C, N> {
  return { s: 'dropField', c: collection, f: name };
}

/** Replaces field `name`'s spec; the type must stay the same. */
export function changeField<C extends string, N extends string, F extends AnyField>(
  collection: C,
  name: N,
  field: F,
): ChangeFieldStep<C, N, F> {
  return { s: 'changeField', c: collection, f: name, spec: specOf(field, 'changeField') };
}

/** Replaces `collection`'s permission rules. */
export function changeRule<C extends string>(collection: C, change: { readonly allow: AllowRules }): ChangeRuleStep<C> {
  return { s: 'changeRule', c: collection, allow: change.allow };
}

/** Adds a collection. */
export function addCollection<C extends string, F extends FieldsShape>(
  name: C,
  def: CollectionDef<F>,
): AddCollectionStep<C, F> {
  const fields: Record<string, FieldSpec> = {};
  for (const [n, f] of Object.entries(def.fields)) fields[n] = specOf(f, `addCollection field "${n}"`);
  const { allow, validate, indexes } = def.options;
  return {
    s: 'addCollection',
    c: name,
    fields,
    ...(allow === undefined ? {} : { allow }),
    ...(validate === undefined ? {} : { validate }),
    ...(indexes === undefined ? {} : { indexes }),
  };
}

/** Drops a collection. */
export function dropCollection<C extends string>(name: C): DropCollectionStep<C> {
  return { s: 'dropCollection', c: name };
}

type Patch<M, C extends PropertyKey, F> = Simplify<Omit<M, C> & { readonly [K in C]: F }>;
type Fields<M, C> = C extends keyof M ? M[C] : never;

type ApplyStep<M, St> =
  St extends Tagged<infer T>
    ? T extends ['add', infer C extends string, infer N extends string, infer F]
      ? Patch<M, C, Simplify<Fields<M, C> & { readonly [K in N]: F }>>
      : T extends ['rename', infer C extends string, infer A extends string, infer B extends string]
        ? Patch<M, C, { readonly [K in keyof Fields<M, C> as K extends A ? B : K]: Fields<M, C>[K] }>
        : T extends ['drop', infer C extends string, infer N extends string]
          ? Patch<M, C, Omit<Fields<M, C>, N>>
          : T extends ['change', infer C extends string, infer N extends string, infer F]
            ? Patch<M, C, Simplify<Omit<Fields<M, C>, N> & { readonly [K in N]: F }>>
            : T extends ['addC', infer C extends string, infer F]
              ? Patch<M, C, F>
              : T extends ['dropC', infer C extends string]
                ? Omit<M, C>
                : M
    : M;

/** The schema shape after `Steps`, in order. */
export type ApplySteps<M, Steps> = Steps extends readonly [infer H, ...infer R]
  ? ApplySteps<ApplyStep<M, H>, R>
  : M extends SchemaShape
    ? M
    : never;
