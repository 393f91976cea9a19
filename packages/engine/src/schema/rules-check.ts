/**
 * Checks permission rules (rule-ast.ts) against the schema and resolves what they leave
 * implicit: a `can` rule without a collection gets the target of its field's `ref` type.
 *
 * The same code checks rules written by an app and rules decoded from a schema that travelled
 * in the log, so it treats its input as untrusted data and rebuilds every rule from known keys.
 */
import { WeftError } from '../errors.ts';
import type { AllowRules, Match, Rule, ValueExpr } from './rule-ast.ts';
import type { FieldSpec } from './field-spec.ts';
import { lookupPath } from './collection-spec.ts';
import { isPlainMap } from './value-check.ts';

type Fields = Readonly<Record<string, FieldSpec>>;

interface Ctx {
  /** Every collection's fields. */
  readonly all: Readonly<Record<string, Fields>>;
  /** The collection whose rules these are. */
  readonly collection: string;
  /** Where in the schema, for messages. */
  readonly where: string;
}

const ACTIONS = ['create', 'update', 'delete', 'write'] as const;
const CAN_ACTIONS = new Set(['create', 'update', 'delete']);

function bad(ctx: Ctx, message: string): never {
  throw new WeftError('E_SCHEMA', `${ctx.where}: ${message}`);
}

function checkPath(ctx: Ctx, collection: string, path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) bad(ctx, 'a field path must be a non-empty string');
  const fields = ctx.all[collection] ?? {};
  if (lookupPath(fields, path.split('.')) === undefined) bad(ctx, `collection "${collection}" has no field "${path}"`);
  return path;
}

function isLiteral(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && isFinite(v));
}

function valueExpr(ctx: Ctx, e: unknown): ValueExpr {
  if (!isPlainMap(e)) bad(ctx, 'a value expression must be a map');
  switch (e.v) {
    case 'author':
      return { v: 'author' };
    case 'docId':
      return { v: 'docId' };
    case 'field':
    case 'oldField':
      return { v: e.v, path: checkPath(ctx, ctx.collection, e.path) };
    case 'const':
      if (!isLiteral(e.value)) bad(ctx, 'a const value must be a string, finite number, boolean or null');
      return { v: 'const', value: e.value };
    default:
      return bad(ctx, `unknown value expression "${String(e.v)}"`);
  }
}

function match(ctx: Ctx, m: unknown): Match {
  if (isPlainMap(m) && 'in' in m) {
    if (!Array.isArray(m.in) || !m.in.every(isLiteral)) bad(ctx, 'an "in" match must list literals');
    return { in: [...(m.in as (string | number | boolean | null)[])] };
  }
  return valueExpr(ctx, m);
}

function existingCollection(ctx: Ctx, name: unknown): string {
  if (typeof name !== 'string' || !Object.hasOwn(ctx.all, name))
    bad(ctx, `rule references unknown collection "${String(name)}"`);
  return name;
}

function canRule(ctx: Ctx, r: Record<string, unknown>): Rule {
  if (typeof r.action !== 'string' || !CAN_ACTIONS.has(r.action)) bad(ctx, 'a can rule needs create, update or delete');
  const field = checkPath(ctx, ctx.collection, r.field);
  const spec = lookupPath(ctx.all[ctx.collection] ?? {}, field.split('.'))!.spec;
  const given = r.collection === undefined || r.collection === '' ? undefined : r.collection;
  if (spec.type !== 'ref' && (spec.type !== 'string' || given === undefined))
    bad(ctx, `can rule field "${field}" must be a ref (or a string with an explicit collection)`);
  const target = existingCollection(ctx, given ?? spec.to);
  if (spec.type === 'ref' && spec.to !== target)
    bad(ctx, `can rule names collection "${target}" but "${field}" refers to "${String(spec.to)}"`);
  return { r: 'can', action: r.action as 'create' | 'update' | 'delete', collection: target, field };
}

/** Checks one rule and returns a fresh, resolved copy. */
function resolveRule(ctx: Ctx, rule: unknown, depth: number): Rule {
  if (depth > 32) bad(ctx, 'rules nest too deeply');
  if (!isPlainMap(rule)) bad(ctx, 'a rule must be a map');
  const r = rule as Record<string, unknown>;
  switch (r.r) {
    case 'allow':
    case 'deny':
    case 'isRoot':
    case 'isCreator':
      return { r: r.r };
    case 'and':
    case 'or':
      if (!Array.isArray(r.of)) bad(ctx, `${r.r} needs a list of rules`);
      return { r: r.r, of: r.of.map((x) => resolveRule(ctx, x, depth + 1)) };
    case 'not':
      return { r: 'not', of: resolveRule(ctx, r.of, depth + 1) };
    case 'eq':
      return { r: 'eq', a: valueExpr(ctx, r.a), b: valueExpr(ctx, r.b) };
    case 'exists': {
      const target = existingCollection(ctx, r.collection);
      if (!isPlainMap(r.where)) bad(ctx, 'exists needs a where map');
      const where: Record<string, Match> = {};
      for (const [key, m] of Object.entries(r.where)) where[checkPath(ctx, target, key)] = match(ctx, m);
      return { r: 'exists', collection: target, where };
    }
    case 'can':
      return canRule(ctx, r);
    default:
      return bad(ctx, `unknown rule "${String(r.r)}"`);
  }
}

/**
 * Checks and resolves the `allow` rules of `collection`. Throws `E_SCHEMA` for unknown actions,
 * rule kinds, collections or fields, and for `can` rules whose target cannot be resolved.
 */
export function resolveAllow(all: Readonly<Record<string, Fields>>, collection: string, allow: unknown): AllowRules {
  if (allow === undefined) return {};
  const ctx: Ctx = { all, collection, where: `collection "${collection}" allow` };
  if (!isPlainMap(allow)) bad(ctx, 'allow must be a map of actions to rules');
  const out: { -readonly [A in (typeof ACTIONS)[number]]?: Rule } = {};
  for (const [action, rule] of Object.entries(allow)) {
    if (!(ACTIONS as readonly string[]).includes(action)) bad(ctx, `unknown action "${action}"`);
    out[action as (typeof ACTIONS)[number]] = resolveRule({ ...ctx, where: `${ctx.where}.${action}` }, rule, 0);
  }
  return out;
}
