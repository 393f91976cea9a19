/**
 * Compiles collection declarations (from the DSL, a migration, or a decoded schema) into
 * {@link CollectionsSpec}: specs checked, the `validate` map folded into them, rules resolved,
 * indexes named. Every problem is `E_SCHEMA`, thrown at definition time, never at write time.
 */
import { WeftError } from '../errors.ts';
import { isName } from '../ids.ts';
import { applyConstraint, type ConstraintRule } from './constraints.ts';
import type { FieldSpec } from './field-spec.ts';
import { lookupPath, type CollectionSpec, type CollectionsSpec, type IndexSpec } from './collection-spec.ts';
import { checkFieldName, checkSpec } from './spec-check.ts';
import { resolveAllow } from './rules-check.ts';
import { isPlainMap } from './value-check.ts';

/** One collection before compilation: raw field specs plus the declared options. */
export interface CollectionDraft {
  readonly fields: Readonly<Record<string, unknown>>;
  readonly allow?: unknown;
  readonly validate?: unknown;
  readonly indexes?: unknown;
}

function bad(message: string): never {
  throw new WeftError('E_SCHEMA', message);
}

/** `fields` with `update` applied to the spec at `path` (objects are copied on the way down). */
function updateAt(
  fields: Readonly<Record<string, unknown>>,
  path: readonly string[],
  update: (spec: FieldSpec) => FieldSpec,
  where: string,
): Record<string, unknown> {
  const [head, ...rest] = path;
  const spec = head !== undefined && Object.hasOwn(fields, head) ? (fields[head] as FieldSpec) : undefined;
  if (spec === undefined) bad(`${where}: no field "${path.join('.')}"`);
  if (rest.length === 0) return { ...fields, [head!]: update(spec) };
  if (spec.type !== 'object') bad(`${where}: "${head}" is a ${spec.type}, not an object`);
  return { ...fields, [head!]: { ...spec, fields: updateAt(spec.fields ?? {}, rest, update, where) } };
}

function applyValidate(c: string, fields: Readonly<Record<string, unknown>>, validate: unknown) {
  if (validate === undefined) return fields;
  if (!isPlainMap(validate)) bad(`collection "${c}": validate must map field paths to rules`);
  let out = fields;
  for (const [path, rules] of Object.entries(validate as Record<string, unknown>)) {
    const list = (Array.isArray(rules) ? rules : [rules]) as ConstraintRule[];
    const where = `collection "${c}" validate`;
    out = updateAt(
      out,
      path.split('.'),
      (s) => list.reduce((acc, r) => applyConstraint(acc, r, `${c}.${path}`), s),
      where,
    );
  }
  return out;
}

function compileIndexes(c: string, fields: Readonly<Record<string, FieldSpec>>, raw: unknown, names: Set<string>) {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) bad(`collection "${c}": indexes must be a list`);
  return raw.map((decl: unknown): IndexSpec => {
    if (!isPlainMap(decl) || !Array.isArray(decl.fields) || decl.fields.length === 0)
      bad(`collection "${c}": an index needs a non-empty list of fields`);
    const paths = decl.fields.map((f) => {
      if (typeof f !== 'string' || lookupPath(fields, f.split('.')) === undefined)
        bad(`collection "${c}": index field "${String(f)}" is not a field`);
      return f;
    });
    const name = decl.name ?? `${c}.${paths.join(',')}`;
    if (typeof name !== 'string' || name.length === 0 || name.length > 128)
      bad(`collection "${c}": an index name must be 1-128 characters`);
    if (names.has(name)) bad(`two indexes are named "${name}"`);
    names.add(name);
    for (const key of Object.keys(decl))
      if (key !== 'name' && key !== 'fields') bad(`index "${name}" has unknown key "${key}"`);
    return { name, fields: paths };
  });
}

/** Compiles drafts into checked collections; throws `E_SCHEMA` on any problem. */
export function compileCollections(drafts: Readonly<Record<string, CollectionDraft>>): CollectionsSpec {
  const names = new Set(Object.keys(drafts));
  const fieldsOf: Record<string, Readonly<Record<string, FieldSpec>>> = {};
  for (const [c, draft] of Object.entries(drafts)) {
    if (!isName(c)) bad(`"${c}" is not a valid collection name`);
    if (!isPlainMap(draft) || !isPlainMap(draft.fields)) bad(`collection "${c}" needs a map of fields`);
    const raw = applyValidate(c, draft.fields, draft.validate);
    const fields: Record<string, FieldSpec> = {};
    for (const [name, spec] of Object.entries(raw)) {
      checkFieldName(name, `collection "${c}"`);
      fields[name] = checkSpec(spec, `${c}.${name}`, 1, names);
    }
    fieldsOf[c] = fields;
  }
  const indexNames = new Set<string>();
  const out: Record<string, CollectionSpec> = {};
  for (const [c, draft] of Object.entries(drafts)) {
    const fields = fieldsOf[c]!;
    out[c] = {
      fields,
      allow: resolveAllow(fieldsOf, c, draft.allow),
      indexes: compileIndexes(c, fields, draft.indexes, indexNames),
    };
  }
  return out;
}
