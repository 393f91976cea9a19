/**
 * Applies migration steps to compiled collections, giving the drafts of the next version
 * (compile.ts checks the result as a whole, so steps may pass through invalid intermediate
 * states, e.g. drop a field and then change the rule that used it).
 */
import { WeftError } from '../errors.ts';
import type { AllowRules, Match, Rule, ValueExpr } from './rule-ast.ts';
import { mustBeWritten, type FieldSpec } from './field-spec.ts';
import type { CollectionsSpec, IndexSpec } from './collection-spec.ts';
import type { CollectionDraft } from './compile.ts';
import { checkFieldName } from './spec-check.ts';
import type { MigrationStepData } from './migration-steps.ts';

interface Draft {
  fields: Record<string, FieldSpec>;
  allow: AllowRules;
  validate?: unknown;
  indexes: readonly unknown[];
}

function bad(message: string): never {
  throw new WeftError('E_SCHEMA', `migration: ${message}`);
}

type PathMap = (collection: string, path: string) => string;

function mapExpr(e: ValueExpr, own: string, fn: PathMap): ValueExpr {
  return e.v === 'field' || e.v === 'oldField' ? { v: e.v, path: fn(own, e.path) } : e;
}

/** `rule` (of collection `own`) with every field path passed through `fn`. */
function mapRule(rule: Rule, own: string, fn: PathMap): Rule {
  switch (rule.r) {
    case 'and':
    case 'or':
      return { r: rule.r, of: rule.of.map((r) => mapRule(r, own, fn)) };
    case 'not':
      return { r: 'not', of: mapRule(rule.of, own, fn) };
    case 'eq':
      return { r: 'eq', a: mapExpr(rule.a, own, fn), b: mapExpr(rule.b, own, fn) };
    case 'exists': {
      const where: Record<string, Match> = {};
      for (const [k, m] of Object.entries(rule.where))
        where[fn(rule.collection, k)] = 'in' in m ? m : mapExpr(m, own, fn);
      return { ...rule, where };
    }
    case 'can':
      return { ...rule, field: fn(own, rule.field) };
    default:
      return rule;
  }
}

function mapAllow(allow: AllowRules, own: string, fn: PathMap): AllowRules {
  const out: Record<string, Rule> = {};
  for (const [action, rule] of Object.entries(allow)) if (rule !== undefined) out[action] = mapRule(rule, own, fn);
  return out;
}

function topField(path: string): string {
  const i = path.indexOf('.');
  return i < 0 ? path : path.slice(0, i);
}

function draftOf(drafts: Record<string, Draft>, c: string): Draft {
  const d = Object.hasOwn(drafts, c) ? drafts[c] : undefined;
  if (d === undefined) bad(`unknown collection "${c}"`);
  return d;
}

function existing(d: Draft, c: string, f: string): FieldSpec {
  const spec = Object.hasOwn(d.fields, f) ? d.fields[f] : undefined;
  if (spec === undefined) bad(`collection "${c}" has no field "${f}"`);
  return spec;
}

function rename(drafts: Record<string, Draft>, c: string, from: string, to: string): void {
  const d = draftOf(drafts, c);
  existing(d, c, from);
  checkFieldName(to, `migration: collection "${c}"`);
  if (Object.hasOwn(d.fields, to)) bad(`collection "${c}" already has a field "${to}"`);
  // Keep declaration order stable (cosmetic: the hash sorts keys anyway).
  d.fields = Object.fromEntries(Object.entries(d.fields).map(([k, v]) => [k === from ? to : k, v]));
  const fn: PathMap = (coll, path) => (coll === c && topField(path) === from ? to + path.slice(from.length) : path);
  for (const [name, other] of Object.entries(drafts)) other.allow = mapAllow(other.allow, name, fn);
  d.indexes = d.indexes.map((ix) => {
    const i = ix as IndexSpec;
    return { ...i, fields: i.fields.map((p) => fn(c, p)) };
  });
}

function applyStep(drafts: Record<string, Draft>, step: MigrationStepData): void {
  switch (step.s) {
    case 'addField': {
      const d = draftOf(drafts, step.c);
      checkFieldName(step.f, `migration: collection "${step.c}"`);
      if (Object.hasOwn(d.fields, step.f)) bad(`collection "${step.c}" already has a field "${step.f}"`);
      // Docs written before the step lack the field: it must read as something without a write.
      if (mustBeWritten(step.spec)) bad(`added field "${step.c}.${step.f}" needs a default or .optional()`);
      d.fields = { ...d.fields, [step.f]: step.spec };
      return;
    }
    case 'renameField':
      return rename(drafts, step.c, step.from, step.to);
    case 'dropField': {
      const d = draftOf(drafts, step.c);
      existing(d, step.c, step.f);
      const { [step.f]: _dropped, ...rest } = d.fields;
      d.fields = rest;
      d.indexes = d.indexes.filter((ix) => !(ix as IndexSpec).fields.some((p) => topField(p) === step.f));
      return;
    }
    case 'changeField': {
      const d = draftOf(drafts, step.c);
      const old = existing(d, step.c, step.f);
      if (old.type !== step.spec.type)
        bad(`"${step.c}.${step.f}" cannot change type (${old.type} → ${step.spec.type}): add a new field instead`);
      d.fields = { ...d.fields, [step.f]: step.spec };
      return;
    }
    case 'changeRule':
      draftOf(drafts, step.c).allow = step.allow;
      return;
    case 'addCollection':
      if (Object.hasOwn(drafts, step.c)) bad(`collection "${step.c}" already exists`);
      drafts[step.c] = {
        fields: { ...step.fields },
        allow: step.allow ?? {},
        indexes: (step.indexes as readonly unknown[] | undefined) ?? [],
        ...(step.validate === undefined ? {} : { validate: step.validate }),
      };
      return;
    case 'dropCollection':
      draftOf(drafts, step.c);
      delete drafts[step.c];
      return;
    default:
      bad(`unknown step "${String((step as { s?: unknown }).s)}"`);
  }
}

/** The drafts of the version after `steps`; compile them with compileCollections. */
export function applySteps(
  collections: CollectionsSpec,
  steps: readonly MigrationStepData[],
): Record<string, CollectionDraft> {
  const drafts: Record<string, Draft> = {};
  for (const [c, spec] of Object.entries(collections))
    drafts[c] = { fields: { ...spec.fields }, allow: spec.allow, indexes: spec.indexes };
  for (const step of steps) applyStep(drafts, step);
  return drafts;
}
