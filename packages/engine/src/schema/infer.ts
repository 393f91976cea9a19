/**
 * Type-level inference from field builders: document types, write types and field paths.
 * Nothing here exists at runtime.
 *
 * Read types describe a document **with defaults applied** (see defaults.ts): a counter reads
 * `number`, a set `T[]`, text `string`, a field with `.default()` its type. An optional field
 * without a default reads `field?: T | null` (`null` is how an optional field is cleared).
 */
import type { DocId } from '../ids.ts';
import type { FieldKind } from './field-spec.ts';

interface FieldTypes {
  readonly kind: FieldKind;
  readonly value: unknown;
  readonly optional: boolean;
  readonly hasDefault: boolean;
}

/** Flattens intersections so editors show plain object types. */
export type Simplify<T> = { [K in keyof T]: T[K] } & {};

type Ty<F> = F extends { readonly _types: infer T extends FieldTypes } ? T : never;

/** The kind of a field builder type. */
export type KindOf<F> = Ty<F>['kind'];
/** The type payload of a field builder type (see FieldBuilder). */
export type PayloadOf<F> = Ty<F>['value'];

type Container = 'counter' | 'set' | 'list' | 'text';
type Lww = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'ref' | 'object';

/** A map of field builder types (structural, so infer.ts needs no runtime import). */
type Shape = { readonly [name: string]: { readonly _types: FieldTypes } };

/** The shape of a schema: collection → fields. */
export type SchemaShape = { readonly [collection: string]: Shape };

type BaseRead<K, V> = K extends 'object'
  ? V extends Shape
    ? DocShape<V>
    : never
  : K extends 'set' | 'list'
    ? ReadValue<V>[]
    : K extends 'ref'
      ? DocId
      : V;

type BaseWrite<K, V> = K extends 'object'
  ? V extends Shape
    ? ObjectWrite<V>
    : never
  : K extends 'ref'
    ? string
    : K extends Lww
      ? V
      : never;

/** The value type a reader sees for field `F` (before optional-ness). */
export type ReadValue<F> = BaseRead<KindOf<F>, PayloadOf<F>>;

/** The value `set` accepts for field `F` (`null` too when optional; `never` for containers). */
export type WriteValue<F> = BaseWrite<KindOf<F>, PayloadOf<F>> | (Ty<F>['optional'] extends true ? null : never);

/** The value `.default()` accepts for a field of kind `K` and payload `V`. */
export type DefaultValue<K, V> = K extends 'ref' | Container ? never : BaseWrite<K, V>;

type ReadMode<F> =
  KindOf<F> extends Container
    ? 'always'
    : Ty<F>['optional'] extends true
      ? Ty<F>['hasDefault'] extends true
        ? 'nullable'
        : 'optional'
      : 'always';

type KeysWhere<F, M> = { [P in keyof F]: ReadMode<F[P]> extends M ? P : never }[keyof F];

/** The read type of a map of fields. */
export type DocShape<F> = Simplify<
  { readonly [P in KeysWhere<F, 'always'>]: ReadValue<F[P]> } & {
    readonly [P in KeysWhere<F, 'nullable'>]: ReadValue<F[P]> | null;
  } & { readonly [P in KeysWhere<F, 'optional'>]?: ReadValue<F[P]> | null }
>;

type LwwKeys<F> = { [P in keyof F]: KindOf<F[P]> extends Lww ? P : never }[keyof F];
type MustWriteKeys<F> = {
  [P in keyof F]: KindOf<F[P]> extends Lww
    ? Ty<F[P]>['optional'] extends true
      ? never
      : Ty<F[P]>['hasDefault'] extends true
        ? never
        : P
    : never;
}[keyof F];

/** A whole-object write (and an insert): required fields must be there; containers can't be. */
export type ObjectWrite<F> = Simplify<
  { readonly [P in MustWriteKeys<F>]: WriteValue<F[P]> } & {
    readonly [P in Exclude<LwwKeys<F>, MustWriteKeys<F>>]?: WriteValue<F[P]>;
  }
>;

/** What `insert` accepts: every required field without a default, any other register field. */
export type InsertFields<F> = ObjectWrite<F>;

/** What `update` accepts: any register field. */
export type UpdateFields<F> = Simplify<{ readonly [P in LwwKeys<F>]?: WriteValue<F[P]> }>;

/** Every dotted path into a map of fields (`"address.city"`), at most 8 levels deep like op paths. */
export type FieldPaths<F, Depth extends readonly unknown[] = []> = Depth['length'] extends 8
  ? never
  : {
      [P in keyof F & string]: KindOf<F[P]> extends 'object'
        ? P | `${P}.${FieldPaths<PayloadOf<F[P]>, [...Depth, unknown]>}`
        : P;
    }[keyof F & string];

/** The field builder type at a dotted path. */
export type FieldAt<F, P extends string> = P extends `${infer H}.${infer R}`
  ? H extends keyof F
    ? FieldAt<PayloadOf<F[H]>, R>
    : never
  : P extends keyof F
    ? F[P]
    : never;

/** Dotted paths whose field kind is one of `K`. */
export type PathsOfKind<F, K> = { [P in FieldPaths<F>]: KindOf<FieldAt<F, P>> extends K ? P : never }[FieldPaths<F>];

/** The shape of schema type `S` (a Schema instance type). */
export type ShapeOf<S> = S extends { readonly _shape: infer M extends SchemaShape } ? M : never;

/** Collection names of schema type `S`. */
export type CollectionsOf<S> = keyof ShapeOf<S> & string;

/** The fields of collection `C` in schema type `S`. */
export type FieldsOf<S, C extends CollectionsOf<S>> = ShapeOf<S>[C];

/** The document type of collection `C`: `{ id: DocId; title: string; … }`. */
export type InferDoc<S, C extends CollectionsOf<S>> = Simplify<{ readonly id: DocId } & DocShape<FieldsOf<S, C>>>;

/** What `insert` accepts for collection `C`. */
export type InferInsert<S, C extends CollectionsOf<S>> = InsertFields<FieldsOf<S, C>>;

/** What `update` accepts for collection `C`. */
export type InferUpdate<S, C extends CollectionsOf<S>> = UpdateFields<FieldsOf<S, C>>;

/** Dotted path → value type, for typing query predicates and orderings (`id` included). */
export type InferQueryFields<S, C extends CollectionsOf<S>> = Simplify<
  { readonly id: DocId } & {
    readonly [P in FieldPaths<FieldsOf<S, C>>]:
      ReadValue<FieldAt<FieldsOf<S, C>, P>> | (Ty<FieldAt<FieldsOf<S, C>, P>>['optional'] extends true ? null : never);
  }
>;
