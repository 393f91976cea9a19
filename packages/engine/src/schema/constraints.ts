/**
 * Constraints as data, and the rule builders of a collection's `validate` map
 * (`validate: { title: maxLength(200) }`). Field builder methods (`string().maxLength(200)`)
 * compile through the same {@link applyConstraint}, so both spellings give identical specs and
 * identical schema hashes.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { CONSTRAINTS_BY_KIND, type FieldSpec, type PatternSpec } from './field-spec.ts';
import { sameValue } from './value-check.ts';

/** One constraint as data. `required` asserts the field is not optional. */
export type ConstraintRule =
  | { readonly rule: 'min' | 'max' | 'minLength' | 'maxLength'; readonly value: number }
  | { readonly rule: 'pattern'; readonly value: PatternSpec }
  | { readonly rule: 'oneOf'; readonly value: readonly CanonicalValue[] }
  | { readonly rule: 'integer' }
  | { readonly rule: 'required' };

/** At most `n` code points (strings, text) or elements (lists). */
export function maxLength(n: number): ConstraintRule {
  return { rule: 'maxLength', value: n };
}

/** At least `n` code points (strings). */
export function minLength(n: number): ConstraintRule {
  return { rule: 'minLength', value: n };
}

/** A number or date (epoch ms) at least `n`. */
export function min(n: number): ConstraintRule {
  return { rule: 'min', value: n };
}

/** A number or date (epoch ms) at most `n`. */
export function max(n: number): ConstraintRule {
  return { rule: 'max', value: n };
}

/** A number that is a safe integer. */
export function integer(): ConstraintRule {
  return { rule: 'integer' };
}

/** A string matching `re`; stored as its source and flags. */
export function pattern(re: RegExp): ConstraintRule {
  return { rule: 'pattern', value: toPatternSpec(re) };
}

/** One of the given values (an enum). */
export function oneOf(values: readonly CanonicalValue[]): ConstraintRule {
  return { rule: 'oneOf', value: [...values] };
}

/** Asserts the field is required (the default); conflicts with `.optional()`. */
export function required(): ConstraintRule {
  return { rule: 'required' };
}

function bad(message: string): never {
  throw new WeftError('E_SCHEMA', message);
}

/** A RegExp as data. `g` and `y` are refused: they make `test` stateful across calls. */
export function toPatternSpec(re: RegExp): PatternSpec {
  if (!(re instanceof RegExp)) bad('pattern() takes a RegExp');
  if (/[gy]/.test(re.flags)) bad(`pattern /${re.source}/${re.flags}: the g and y flags are not allowed`);
  return { source: re.source, flags: re.flags };
}

function checkNumber(rule: string, n: unknown, path: string, count: boolean): number {
  const ok = typeof n === 'number' && (count ? Number.isSafeInteger(n) && n >= 0 : Number.isFinite(n));
  if (!ok) bad(`${rule} of "${path}" needs ${count ? 'a non-negative integer' : 'a finite number'}`);
  return n as number;
}

/** The constraint value `rule` would store, validated. */
function ruleValue(rule: ConstraintRule, kind: FieldSpec['type'], path: string): CanonicalValue | true {
  switch (rule.rule) {
    case 'min':
    case 'max': {
      const n = checkNumber(rule.rule, rule.value, path, false);
      if (kind === 'date' && !Number.isSafeInteger(n)) bad(`${rule.rule} of date "${path}" must be epoch milliseconds`);
      return n;
    }
    case 'minLength':
    case 'maxLength':
      return checkNumber(rule.rule, rule.value, path, true);
    case 'pattern': {
      const p = rule.value;
      if (typeof p?.source !== 'string' || typeof p.flags !== 'string') bad(`pattern of "${path}" is malformed`);
      if (/[gy]/.test(p.flags)) bad(`pattern of "${path}": the g and y flags are not allowed`);
      try {
        new RegExp(p.source, p.flags);
      } catch {
        bad(`pattern of "${path}" is not a valid regular expression`);
      }
      return { source: p.source, flags: p.flags };
    }
    case 'oneOf':
      if (!Array.isArray(rule.value) || rule.value.length === 0) bad(`oneOf of "${path}" needs at least one value`);
      return [...rule.value];
    case 'integer':
    case 'required':
      return true;
  }
}

/**
 * `spec` with `rule` applied. Throws `E_SCHEMA` when the rule does not apply to the field's type,
 * or when the same constraint is already declared with another value (a field builder method and
 * the `validate` map disagreeing is a mistake, not something to merge silently).
 */
export function applyConstraint(spec: FieldSpec, rule: ConstraintRule, path: string): FieldSpec {
  if (rule?.rule === 'required') {
    if (spec.optional === true) bad(`field "${path}" is declared both optional and required`);
    return spec;
  }
  const name = rule?.rule;
  if (!(CONSTRAINTS_BY_KIND[spec.type] as readonly string[]).includes(name))
    bad(`${String(name)} does not apply to ${spec.type} field "${path}"`);
  const value = ruleValue(rule, spec.type, path);
  const existing = spec[name];
  if (existing !== undefined) {
    if (sameValue(existing as CanonicalValue, value)) return spec;
    bad(`${name} of "${path}" is declared twice with different values`);
  }
  return { ...spec, [name]: value };
}
