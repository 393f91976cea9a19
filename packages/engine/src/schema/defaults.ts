/**
 * Defaults a reader sees for fields never written: declared `.default()` values, the empty value
 * of containers (counter 0, set and list `[]`, text `''`), and required objects (recursively,
 * so their sub-field defaults show). Optional fields without a default stay absent. This is what
 * makes `InferDoc` true of a materialized doc once `applyDefaults` has run.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { emptyValueOf, type FieldSpec } from './field-spec.ts';
import { isPlainMap } from './value-check.ts';
import type { Schema } from './schema.ts';

function defaultsOf(fields: Readonly<Record<string, FieldSpec>>): Record<string, CanonicalValue> {
  const out: Record<string, CanonicalValue> = {};
  for (const [name, spec] of Object.entries(fields)) {
    const v =
      spec.default ??
      emptyValueOf(spec.type) ??
      (spec.type === 'object' && spec.optional !== true ? defaultsOf(spec.fields ?? {}) : undefined);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** The defaults of `collection`'s fields; throws `E_NOT_FOUND` for an unknown collection. */
export function defaultsFor(schema: Schema, collection: string): Record<string, CanonicalValue> {
  const c = schema.collection(collection);
  if (c === undefined) throw new WeftError('E_NOT_FOUND', `schema has no collection "${collection}"`);
  return defaultsOf(c.fields);
}

function merge(
  fields: Readonly<Record<string, FieldSpec>>,
  defaults: Record<string, CanonicalValue>,
  doc: Readonly<Record<string, CanonicalValue>>,
): Record<string, CanonicalValue> {
  const out: Record<string, CanonicalValue> = { ...defaults };
  for (const [k, v] of Object.entries(doc)) {
    const d = out[k];
    const spec = Object.hasOwn(fields, k) ? fields[k] : undefined;
    // Objects merge per sub-field (they are written per path); a json value is one whole value.
    out[k] = spec?.type === 'object' && isPlainMap(d) && isPlainMap(v) ? merge(spec.fields ?? {}, d, v) : v;
  }
  return out;
}

/** `doc` with defaults filled in where nothing was written (written values, even null, win). */
export function applyDefaults(
  schema: Schema,
  collection: string,
  doc: Readonly<Record<string, CanonicalValue>>,
): Record<string, CanonicalValue> {
  return merge(schema.collection(collection)?.fields ?? {}, defaultsFor(schema, collection), doc);
}
