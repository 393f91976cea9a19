/**
 * The compiled form of a field: plain data, the same shape the schema is hashed and shipped in.
 * The permission evaluator, the query module and the validator read these specs; the builders
 * in fields.ts only exist to produce them (and to carry TypeScript types).
 *
 * Invariants:
 *  1. A spec holds only the keys its kind allows (see {@link CONSTRAINTS_BY_KIND}); absent
 *     constraints are absent keys, never `undefined`, so the canonical form is unique.
 *  2. `optional` is present only when true: fields are required by default.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';

/** Every field type of DESIGN §2. */
export const FIELD_KINDS = [
  'string',
  'number',
  'boolean',
  'date',
  'json',
  'counter',
  'set',
  'list',
  'text',
  'ref',
  'object',
] as const;

/** One of {@link FIELD_KINDS}. */
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A regular expression as data: `new RegExp(source, flags)`. */
export interface PatternSpec {
  readonly source: string;
  readonly flags: string;
}

/** The compiled description of one field. */
export interface FieldSpec {
  readonly type: FieldKind;
  /** May be absent or `null`. Fields are required unless this is true. */
  readonly optional?: true;
  /** What a reader sees when the field was never written; creation need not set it. */
  readonly default?: CanonicalValue;
  /** Inclusive bounds for number and date (ms) values. */
  readonly min?: number;
  readonly max?: number;
  /** Numbers must be safe integers. */
  readonly integer?: true;
  /** Length bounds in Unicode code points (strings, text) or elements (lists). */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: PatternSpec;
  /** Allowed values (an enum). */
  readonly oneOf?: readonly CanonicalValue[];
  /** Element spec of a set or list. */
  readonly of?: FieldSpec;
  /** Target collection of a ref. */
  readonly to?: string;
  /** Sub-fields of an object. */
  readonly fields?: Readonly<Record<string, FieldSpec>>;
}

/** Names of the constraint keys of a {@link FieldSpec}. */
export type ConstraintName = 'min' | 'max' | 'integer' | 'minLength' | 'maxLength' | 'pattern' | 'oneOf';

/**
 * Which constraints each kind accepts. Counters and sets take none: under concurrency a bound on
 * a merged counter or set cannot be kept by judging single changes, so we don't pretend to.
 */
export const CONSTRAINTS_BY_KIND: Readonly<Record<FieldKind, readonly ConstraintName[]>> = {
  string: ['minLength', 'maxLength', 'pattern', 'oneOf'],
  number: ['min', 'max', 'integer', 'oneOf'],
  boolean: [],
  date: ['min', 'max'],
  json: [],
  counter: [],
  set: [],
  list: ['maxLength'],
  text: ['maxLength'],
  ref: [],
  object: [],
};

/** Kinds stored as last-writer-wins registers: written with `set` ops. */
export const LWW_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>([
  'string',
  'number',
  'boolean',
  'date',
  'json',
  'ref',
  'object',
]);

/**
 * Kinds that are CRDT containers with a natural empty value. They are never required on create
 * and cannot carry a `default`: a reader sees the empty value until someone writes.
 */
export const CONTAINER_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>(['counter', 'set', 'list', 'text']);

/** Kinds a set or list element may have. */
export const ELEMENT_KINDS: ReadonlySet<FieldKind> = new Set<FieldKind>([
  'string',
  'number',
  'boolean',
  'date',
  'json',
  'ref',
  'object',
]);

/** The empty value a reader sees for a container field never written. */
export function emptyValueOf(kind: FieldKind): CanonicalValue | undefined {
  switch (kind) {
    case 'counter':
      return 0;
    case 'set':
    case 'list':
      return [];
    case 'text':
      return '';
    default:
      return undefined;
  }
}

/** True when creating a doc must write this field: required, LWW, and without a default. */
export function mustBeWritten(spec: FieldSpec): boolean {
  return spec.optional !== true && spec.default === undefined && LWW_KINDS.has(spec.type);
}

/** Deepest field path an op may name (change/change.ts accepts 1-8 segments). */
export const MAX_FIELD_DEPTH = 8;

/** Field names no schema may declare: `id` is the doc id, `_`-names are the engine's own. */
export function isReservedFieldName(name: string): boolean {
  return name === 'id' || name.startsWith('_');
}
