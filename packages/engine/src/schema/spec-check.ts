/**
 * Strict checking of field specs. Specs come from builders or from a schema decoded off the
 * log, so each is rebuilt from the keys its kind allows; anything else is `E_SCHEMA`.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { isName } from '../ids.ts';
import { applyConstraint, type ConstraintRule } from './constraints.ts';
import {
  CONSTRAINTS_BY_KIND,
  CONTAINER_KINDS,
  ELEMENT_KINDS,
  FIELD_KINDS,
  MAX_FIELD_DEPTH,
  isReservedFieldName,
  type FieldKind,
  type FieldSpec,
} from './field-spec.ts';
import { checkValue, isPlainMap } from './value-check.ts';

function bad(message: string): never {
  throw new WeftError('E_SCHEMA', message);
}

const STRUCTURE_KEYS: Readonly<Record<FieldKind, readonly string[]>> = {
  string: [],
  number: [],
  boolean: [],
  date: [],
  json: [],
  counter: [],
  text: [],
  set: ['of'],
  list: ['of'],
  ref: ['to'],
  object: ['fields'],
};

/** Throws unless `name` may name a field. */
export function checkFieldName(name: string, where: string): void {
  if (!isName(name)) bad(`${where}: "${name}" is not a valid field name`);
  if (isReservedFieldName(name)) bad(`${where}: "${name}" is reserved (id and names starting with _)`);
}

function constraintRule(name: string, value: CanonicalValue): ConstraintRule {
  return (name === 'integer' ? { rule: 'integer' } : { rule: name, value }) as ConstraintRule;
}

/**
 * Checks `raw` as the spec of the field at `path` (depth 1 = top level) and returns a fresh
 * spec. `collections` are the names a ref may target.
 */
export function checkSpec(raw: unknown, path: string, depth: number, collections: ReadonlySet<string>): FieldSpec {
  if (depth > MAX_FIELD_DEPTH) bad(`field "${path}" nests deeper than ${MAX_FIELD_DEPTH} levels`);
  if (!isPlainMap(raw)) bad(`field "${path}" is not a field spec`);
  const type = raw.type as FieldKind;
  if (!(FIELD_KINDS as readonly unknown[]).includes(type)) bad(`field "${path}" has unknown type "${String(type)}"`);
  const allowed = new Set<string>([
    'type',
    'optional',
    'default',
    ...STRUCTURE_KEYS[type],
    ...CONSTRAINTS_BY_KIND[type],
  ]);
  for (const key of Object.keys(raw)) if (!allowed.has(key)) bad(`field "${path}" (${type}) cannot have "${key}"`);

  let spec: FieldSpec = { type };
  if (raw.optional !== undefined) {
    if (raw.optional !== true) bad(`field "${path}": optional must be true when present`);
    spec = { ...spec, optional: true };
  }
  switch (type) {
    case 'set':
    case 'list': {
      const of = checkSpec(raw.of, `${path}[]`, depth, collections);
      if (!ELEMENT_KINDS.has(of.type)) bad(`field "${path}": elements cannot be ${of.type} fields`);
      if (of.optional === true || of.default !== undefined)
        bad(`field "${path}": elements cannot be optional or have a default`);
      spec = { ...spec, of };
      break;
    }
    case 'ref':
      if (typeof raw.to !== 'string' || !collections.has(raw.to))
        bad(`field "${path}" refers to unknown collection "${String(raw.to)}"`);
      spec = { ...spec, to: raw.to };
      break;
    case 'object': {
      if (!isPlainMap(raw.fields)) bad(`field "${path}" needs a map of sub-fields`);
      const fields: Record<string, FieldSpec> = {};
      for (const [name, sub] of Object.entries(raw.fields)) {
        checkFieldName(name, `field "${path}"`);
        fields[name] = checkSpec(sub, `${path}.${name}`, depth + 1, collections);
      }
      spec = { ...spec, fields };
      break;
    }
  }
  for (const name of CONSTRAINTS_BY_KIND[type]) {
    const value = raw[name];
    if (value === undefined) continue;
    if (name === 'integer' && value !== true) bad(`field "${path}": integer must be true when present`);
    spec = applyConstraint(spec, constraintRule(name, value), path);
  }
  return finish(spec, raw.default, path);
}

/** Cross-constraint checks, enum values and the default, once the spec is complete. */
function finish(spec: FieldSpec, def: CanonicalValue | undefined, path: string): FieldSpec {
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max)
    bad(`field "${path}": min ${spec.min} is above max ${spec.max}`);
  if (spec.minLength !== undefined && spec.maxLength !== undefined && spec.minLength > spec.maxLength)
    bad(`field "${path}": minLength ${spec.minLength} is above maxLength ${spec.maxLength}`);
  if (spec.oneOf !== undefined) {
    const { oneOf, ...plain } = spec;
    for (const v of oneOf) {
      const problem = checkValue(plain, v, path);
      if (problem !== null || v === null) bad(`field "${path}": oneOf value ${JSON.stringify(v)} does not fit`);
    }
  }
  if (def === undefined) return spec;
  if (CONTAINER_KINDS.has(spec.type) || spec.type === 'ref')
    bad(`field "${path}": a ${spec.type} cannot have a default`);
  // Defaults cannot hold refs: no document is known to exist when the schema is written.
  const problem = checkValue(spec, def, path, () => bad(`field "${path}": a default cannot hold a ref`));
  if (problem !== null) bad(`default of ${problem.message}`);
  return { ...spec, default: def };
}
