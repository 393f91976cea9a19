/**
 * Field builders: `string().maxLength(200)`, `ref('users').optional()`, `set(string())`…
 *
 * A builder is an immutable wrapper around a {@link FieldSpec}: every method returns a new
 * builder. Its type parameters carry what TypeScript infers documents from (infer.ts); they
 * cost nothing at runtime. Fields are **required by default** (as in TypeScript and most
 * validation libraries); `.optional()` lets a field be absent or `null`.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { applyConstraint, integer, max, maxLength, min, minLength, oneOf, pattern } from './constraints.ts';
import type { ConstraintRule } from './constraints.ts';
import { CONTAINER_KINDS, ELEMENT_KINDS, type FieldKind, type FieldSpec } from './field-spec.ts';
import type { DefaultValue } from './infer.ts';

/**
 * The builder of one field. `K` is its kind, `V` its type payload (the value type for scalars,
 * the element builder for set/list, the target collection for ref, the sub-fields for object),
 * `O` whether it is optional and `D` whether it has a default.
 */
export class FieldBuilder<K extends FieldKind, V, O extends boolean = false, D extends boolean = false> {
  /** Type-level only (never set at runtime): what inference reads. */
  declare readonly _types: { readonly kind: K; readonly value: V; readonly optional: O; readonly hasDefault: D };

  /** The compiled spec this builder stands for. */
  readonly spec: FieldSpec;

  constructor(spec: FieldSpec) {
    this.spec = spec;
    Object.freeze(this);
  }

  private with(rule: ConstraintRule): FieldSpec {
    return applyConstraint(this.spec, rule, '<field>');
  }

  /** May be absent or `null`. */
  optional(): FieldBuilder<K, V, true, D> {
    return new FieldBuilder({ ...this.spec, optional: true });
  }

  /** What readers see until the field is written; creating a doc need not set it. */
  default(value: DefaultValue<K, V>): FieldBuilder<K, V, O, true> {
    if (CONTAINER_KINDS.has(this.spec.type) || this.spec.type === 'ref')
      throw new WeftError('E_SCHEMA', `a ${this.spec.type} field cannot have a default`);
    return new FieldBuilder({ ...this.spec, default: value as CanonicalValue });
  }

  /** Inclusive lower bound (numbers; dates as epoch ms). */
  min<T extends FieldBuilder<'number' | 'date', unknown, boolean, boolean>>(this: T, n: number): T {
    return new FieldBuilder(this.with(min(n))) as T;
  }

  /** Inclusive upper bound (numbers; dates as epoch ms). */
  max<T extends FieldBuilder<'number' | 'date', unknown, boolean, boolean>>(this: T, n: number): T {
    return new FieldBuilder(this.with(max(n))) as T;
  }

  /** Numbers must be safe integers. */
  integer<T extends FieldBuilder<'number', unknown, boolean, boolean>>(this: T): T {
    return new FieldBuilder(this.with(integer())) as T;
  }

  /** At least `n` code points. */
  minLength<T extends FieldBuilder<'string', unknown, boolean, boolean>>(this: T, n: number): T {
    return new FieldBuilder(this.with(minLength(n))) as T;
  }

  /** At most `n` code points (string, text) or elements (list). */
  maxLength<T extends FieldBuilder<'string' | 'text' | 'list', unknown, boolean, boolean>>(this: T, n: number): T {
    return new FieldBuilder(this.with(maxLength(n))) as T;
  }

  /** Must match `re` (no `g`/`y` flags); stored as source and flags. */
  pattern<T extends FieldBuilder<'string', unknown, boolean, boolean>>(this: T, re: RegExp): T {
    return new FieldBuilder(this.with(pattern(re))) as T;
  }

  /** One of `values`; the inferred type narrows to their union. */
  oneOf<
    T extends FieldBuilder<'string' | 'number', unknown, boolean, boolean>,
    const X extends readonly T['_types']['value'][],
  >(
    this: T,
    values: X,
  ): FieldBuilder<T['_types']['kind'], X[number], T['_types']['optional'], T['_types']['hasDefault']> {
    return new FieldBuilder(this.with(oneOf(values as readonly CanonicalValue[])));
  }
}

/** Any field builder. */
export type AnyField = FieldBuilder<FieldKind, unknown, boolean, boolean>;

/** The fields of a collection or object: name → builder. */
export type FieldsShape = { readonly [name: string]: AnyField };

/** A UTF-16 string register. */
export function string(): FieldBuilder<'string', string> {
  return new FieldBuilder({ type: 'string' });
}

/** A number register (finite float; `.integer()` for integers). */
export function number(): FieldBuilder<'number', number> {
  return new FieldBuilder({ type: 'number' });
}

/** A boolean register. */
export function boolean(): FieldBuilder<'boolean', boolean> {
  return new FieldBuilder({ type: 'boolean' });
}

/**
 * A date register, stored as UTC epoch milliseconds (an integer). Numbers sort correctly in
 * queries and indexes and encode compactly; convert with `new Date(ms)` / `date.getTime()`.
 */
export function date(): FieldBuilder<'date', number> {
  return new FieldBuilder({ type: 'date' });
}

/** Any canonical value (a register); `T` narrows the inferred type, not what is checked. */
export function json<T extends CanonicalValue = CanonicalValue>(): FieldBuilder<'json', T> {
  return new FieldBuilder({ type: 'json' });
}

/** A PN-counter: changed only by increments, reads 0 until then. */
export function counter(): FieldBuilder<'counter', number> {
  return new FieldBuilder({ type: 'counter' });
}

/** Collaborative text (sequence CRDT of characters); reads `''` until written. */
export function text(): FieldBuilder<'text', string> {
  return new FieldBuilder({ type: 'text' });
}

function element(of: AnyField, kind: string): FieldSpec {
  if (!(of instanceof FieldBuilder)) throw new WeftError('E_SCHEMA', `${kind}() takes a field builder`);
  const s = of.spec;
  if (!ELEMENT_KINDS.has(s.type)) throw new WeftError('E_SCHEMA', `${kind}() elements cannot be ${s.type} fields`);
  if (s.optional === true || s.default !== undefined)
    throw new WeftError('E_SCHEMA', `${kind}() elements cannot be optional or have a default`);
  return s;
}

/** An add-wins observed-remove set of `of` values; reads `[]` until written. */
export function set<E extends AnyField>(of: E): FieldBuilder<'set', E> {
  return new FieldBuilder({ type: 'set', of: element(of, 'set') });
}

/** An ordered list of `of` values (sequence CRDT); reads `[]` until written. */
export function list<E extends AnyField>(of: E): FieldBuilder<'list', E> {
  return new FieldBuilder({ type: 'list', of: element(of, 'list') });
}

/** The id of a document in `collection` (which must exist when the change is judged). */
export function ref<C extends string>(collection: C): FieldBuilder<'ref', C> {
  if (typeof collection !== 'string') throw new WeftError('E_SCHEMA', 'ref() takes a collection name');
  return new FieldBuilder({ type: 'ref', to: collection });
}

/** A nested map of fields, written per path (`"address.city"`) or as a whole. */
export function object<F extends FieldsShape>(fields: F): FieldBuilder<'object', F> {
  if (typeof fields !== 'object' || fields === null) throw new WeftError('E_SCHEMA', 'object() takes a map of fields');
  const specs: Record<string, FieldSpec> = {};
  for (const [name, f] of Object.entries(fields)) {
    if (!(f instanceof FieldBuilder)) throw new WeftError('E_SCHEMA', `object field "${name}" is not a field builder`);
    specs[name] = f.spec;
  }
  return new FieldBuilder({ type: 'object', fields: specs });
}
