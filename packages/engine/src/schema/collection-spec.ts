/**
 * The compiled form of a collection, as the permission evaluator, the query module and the
 * validator read it: fields → specs, permission rules, indexes. Plain data, hashed as is.
 */
import type { AllowRules } from './rule-ast.ts';
import type { FieldSpec } from './field-spec.ts';

/** A compiled index declaration. */
export interface IndexSpec {
  /** Unique in the schema. */
  readonly name: string;
  /** Dotted field paths, most significant first. */
  readonly fields: readonly string[];
}

/** A compiled collection. */
export interface CollectionSpec {
  /** Top-level field name → spec (objects nest through `fields`). */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Permission rules with every `can` target resolved. */
  readonly allow: AllowRules;
  readonly indexes: readonly IndexSpec[];
}

/** Collection name → compiled collection. */
export type CollectionsSpec = Readonly<Record<string, CollectionSpec>>;

/** What a field path resolves to. */
export interface PathTarget {
  readonly spec: FieldSpec;
  /** True when the path reaches inside a json field: anything goes below it. */
  readonly insideJson: boolean;
}

/**
 * The spec at `path` (field names, then object sub-field names), or undefined when the path
 * names no field. Paths may continue inside a json field, which holds any value.
 */
export function lookupPath(
  fields: Readonly<Record<string, FieldSpec>>,
  path: readonly string[],
): PathTarget | undefined {
  let current: Readonly<Record<string, FieldSpec>> | undefined = fields;
  let spec: FieldSpec | undefined;
  for (let i = 0; i < path.length; i++) {
    if (current === undefined) return spec?.type === 'json' ? { spec, insideJson: true } : undefined;
    spec = Object.hasOwn(current, path[i]!) ? current[path[i]!] : undefined;
    if (spec === undefined) return undefined;
    current = spec.type === 'object' ? (spec.fields ?? {}) : undefined;
  }
  return spec === undefined ? undefined : { spec, insideJson: false };
}
