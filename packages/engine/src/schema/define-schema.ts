/**
 * `defineSchema({ todos: collection({...}, {...}) }, { version })`: compiles the DSL into a
 * {@link Schema}. Every mistake (unknown ref target, rule naming an unknown field, a constraint
 * that does not fit its type…) is an `E_SCHEMA` thrown here, not at write time.
 */
import { WeftError } from '../errors.ts';
import type { CollectionDef } from './collection.ts';
import { FieldBuilder, type FieldsShape } from './fields.ts';
import { compileCollections, type CollectionDraft } from './compile.ts';
import { isPlainMap } from './value-check.ts';
import { Schema } from './schema.ts';

/** Options of {@link defineSchema}. */
export interface SchemaOptions {
  /** The app's schema version (default 1). */
  readonly version?: number;
}

/**
 * Collection name → declaration. Options are left loose here on purpose: comparing typed
 * `validate`/`indexes` maps against the generic shape would make TypeScript recurse forever.
 */
export type CollectionDefs = { readonly [name: string]: { readonly fields: FieldsShape; readonly options: object } };

/** The schema shape (collection → fields) of a map of declarations. */
export type ShapeOfDefs<C extends CollectionDefs> = { readonly [K in keyof C]: C[K]['fields'] };

const OPTION_KEYS = new Set(['allow', 'validate', 'indexes']);

function draftOf(name: string, def: CollectionDefs[string]): CollectionDraft {
  if (!isPlainMap(def) || !isPlainMap(def.fields) || !isPlainMap(def.options))
    throw new WeftError('E_SCHEMA', `collection "${name}" must be declared with collection()`);
  const fields: Record<string, unknown> = {};
  for (const [f, builder] of Object.entries(def.fields as FieldsShape)) {
    if (!(builder instanceof FieldBuilder))
      throw new WeftError('E_SCHEMA', `field "${name}.${f}" is not a field builder (string(), ref(), …)`);
    fields[f] = builder.spec;
  }
  for (const key of Object.keys(def.options))
    if (!OPTION_KEYS.has(key)) throw new WeftError('E_SCHEMA', `collection "${name}" has unknown option "${key}"`);
  const { allow, validate, indexes } = def.options as CollectionDef['options'];
  return { fields, allow, validate, indexes };
}

/** Compiles collection declarations into a schema; throws `E_SCHEMA` on any mistake. */
export function defineSchema<const C extends CollectionDefs>(
  collections: C,
  options: SchemaOptions = {},
): Schema<ShapeOfDefs<C>> {
  if (!isPlainMap(collections)) throw new WeftError('E_SCHEMA', 'defineSchema takes a map of collections');
  const drafts: Record<string, CollectionDraft> = {};
  for (const [name, def] of Object.entries(collections)) drafts[name] = draftOf(name, def);
  return new Schema({ version: options.version ?? 1, collections: compileCollections(drafts) });
}
