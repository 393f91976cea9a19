/**
 * Checks one value against a field spec: its type, its constraints, and (through a callback)
 * the refs it holds. Used for `set` values, set elements, list insertions and declared defaults.
 */
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { equalBytes } from '../bytes.ts';
import { isDocId } from '../ids.ts';
import type { WeftErrorCode } from '../errors.ts';
import { CONTAINER_KINDS, type FieldSpec, type PatternSpec } from './field-spec.ts';

/** Why a value does not fit: E_SCHEMA for shape errors (unknown keys), else E_VALIDATION. */
export interface ValueProblem {
  readonly code: WeftErrorCode;
  readonly message: string;
}

/** Called for each ref a valid value holds, so the caller can check that the target exists. */
export type RefSink = (collection: string, id: string, path: string) => void;

/** True for a plain map value (not null, an array or bytes). */
export function isPlainMap(v: unknown): v is Record<string, CanonicalValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Length in Unicode code points, so an emoji counts as one character as users expect. */
export function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
    n++;
  }
  return n;
}

const compiled = new WeakMap<PatternSpec, RegExp>();

/** The RegExp of a pattern spec, compiled once per spec object. */
export function patternRegExp(p: PatternSpec): RegExp {
  let re = compiled.get(p);
  if (re === undefined) compiled.set(p, (re = new RegExp(p.source, p.flags)));
  return re;
}

/** Deep equality of canonical values (one encoding per value makes bytes the truth). */
export function sameValue(a: CanonicalValue, b: CanonicalValue): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  return equalBytes(encode(a), encode(b));
}

function typeName(v: CanonicalValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'object' ? 'object' : typeof v;
}

function fail(path: string, rule: string, detail: string): ValueProblem {
  return { code: 'E_VALIDATION', message: `field "${path}" fails ${rule}: ${detail}` };
}

function bounds(spec: FieldSpec, n: number, path: string): ValueProblem | null {
  if (spec.min !== undefined && n < spec.min) return fail(path, `min(${spec.min})`, `got ${n}`);
  if (spec.max !== undefined && n > spec.max) return fail(path, `max(${spec.max})`, `got ${n}`);
  return null;
}

function checkString(spec: FieldSpec, v: string, path: string): ValueProblem | null {
  if (spec.minLength !== undefined || spec.maxLength !== undefined) {
    const len = codePointLength(v);
    if (spec.minLength !== undefined && len < spec.minLength)
      return fail(path, `minLength(${spec.minLength})`, `${len} characters`);
    if (spec.maxLength !== undefined && len > spec.maxLength)
      return fail(path, `maxLength(${spec.maxLength})`, `${len} characters`);
  }
  if (spec.pattern !== undefined && !patternRegExp(spec.pattern).test(v))
    return fail(path, `pattern(/${spec.pattern.source}/${spec.pattern.flags})`, JSON.stringify(v.slice(0, 40)));
  return null;
}

function checkObject(
  spec: FieldSpec,
  v: Record<string, CanonicalValue>,
  path: string,
  refs: RefSink | undefined,
): ValueProblem | null {
  const fields = spec.fields ?? {};
  for (const key of Object.keys(v)) {
    const sub = fields[key];
    if (sub === undefined) return { code: 'E_SCHEMA', message: `unknown field "${path}.${key}"` };
    // A whole-object write is one register; containers inside it would need their own CRDT ops.
    if (CONTAINER_KINDS.has(sub.type))
      return { code: 'E_SCHEMA', message: `field "${path}.${key}" is a ${sub.type}: it cannot be written as a value` };
  }
  for (const [key, sub] of Object.entries(fields)) {
    const child = v[key];
    if (child === undefined) {
      if (sub.optional !== true && sub.default === undefined && !CONTAINER_KINDS.has(sub.type))
        return fail(`${path}.${key}`, 'required', 'missing from the object');
      continue;
    }
    const problem = checkValue(sub, child, `${path}.${key}`, refs);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * Checks `value` against `spec`. `null` is accepted exactly when the spec is optional. Refs found
 * in a valid value are reported to `refs`; without a sink, refs are checked for shape only.
 */
export function checkValue(spec: FieldSpec, value: CanonicalValue, path: string, refs?: RefSink): ValueProblem | null {
  if (value === null) return spec.optional === true ? null : fail(path, 'required', 'null');
  const mismatch = (): ValueProblem => fail(path, `type(${spec.type})`, `got ${typeName(value)}`);
  let problem: ValueProblem | null = null;
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') return mismatch();
      problem = checkString(spec, value, path);
      break;
    case 'number':
      if (typeof value !== 'number') return mismatch();
      if (spec.integer === true && !Number.isSafeInteger(value)) return fail(path, 'integer', `got ${value}`);
      problem = bounds(spec, value, path);
      break;
    case 'date':
      // Dates are UTC epoch milliseconds: they sort and compare as numbers, and encode small.
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        return fail(path, 'type(date)', `expected integer epoch milliseconds, got ${typeName(value)}`);
      problem = bounds(spec, value, path);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return mismatch();
      break;
    case 'json':
      break;
    case 'ref':
      if (typeof value !== 'string' || !isDocId(value)) return fail(path, `ref(${spec.to ?? '?'})`, 'not a doc id');
      refs?.(spec.to ?? '', value, path);
      break;
    case 'object':
      if (!isPlainMap(value)) return mismatch();
      problem = checkObject(spec, value, path, refs);
      break;
    default:
      return { code: 'E_SCHEMA', message: `field "${path}" is a ${spec.type}: it cannot be written as a value` };
  }
  if (problem !== null) return problem;
  if (spec.oneOf !== undefined && !spec.oneOf.some((x) => sameValue(x, value)))
    return fail(
      path,
      'oneOf',
      `${JSON.stringify(typeof value === 'string' ? value.slice(0, 40) : value)} is not allowed`,
    );
  return null;
}
