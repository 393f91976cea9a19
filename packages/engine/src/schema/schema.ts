/**
 * A compiled, content-addressed schema version. Create one with `defineSchema`, `migrate`, or
 * `schemaFromCanonical`; it is immutable.
 *
 * What other modules read:
 *  - `collections[name].fields[field]`: {@link FieldSpec} (validator, materializer defaults);
 *  - `collections[name].allow`: permission rules (auth), also as `rules()`;
 *  - `collections[name].indexes` and `indexDefinitions()`: the query module;
 *  - `refTarget(collection, field)`: query includes (the `DocSource.refTarget` shape);
 *  - `hash`: what changes carry (`ChangeValidator.schemaHash`), `knows`/`byHash` for older ones.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import type { AllowRules } from './rule-ast.ts';
import type { FieldSpec } from './field-spec.ts';
import { lookupPath, type CollectionSpec, type CollectionsSpec } from './collection-spec.ts';
import { hashCanonical, schemaToCanonical, toCanonicalData, type MigrationRecord } from './canonical-form.ts';
import { compileCollections } from './compile.ts';
import { applySteps } from './apply-steps.ts';
import type { ApplySteps, MigrationStep } from './migration-steps.ts';
import type { SchemaShape } from './infer.ts';

/** An index as the query module declares it (`IndexDefinition` of query/sorted-index.ts). */
export interface SchemaIndexDefinition {
  readonly name: string;
  readonly collection: string;
  readonly fields: readonly string[];
}

/** What a Schema is built from (internal: apps use defineSchema / migrate / schemaFromCanonical). */
export interface SchemaInit {
  readonly version: number;
  readonly collections: CollectionsSpec;
  readonly migration?: MigrationRecord;
  /** Predecessors by hash; required with `migration`. */
  readonly history?: ReadonlyMap<string, Schema>;
}

/** Throws unless `v` is a usable schema version. */
export function checkVersion(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
    throw new WeftError('E_SCHEMA', 'schema version must be a positive integer');
  return v;
}

function deepFreeze<T>(x: T): T {
  if (typeof x === 'object' && x !== null && !(x instanceof Uint8Array) && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/** A compiled schema version. `M` carries the collection and field types for inference. */
export class Schema<M extends SchemaShape = SchemaShape> {
  /** Type-level only (never set at runtime): what InferDoc reads. */
  declare readonly _shape: M;
  /** The app's version number (1 unless given; each migration increases it). */
  readonly version: number;
  /** Collection name → compiled collection. Frozen. */
  readonly collections: CollectionsSpec;
  /** How this version came from its predecessor, if it did. */
  readonly migration: MigrationRecord | undefined;
  /** Every predecessor, by hash, oldest first. */
  readonly history: ReadonlyMap<string, Schema>;
  /** Hex sha256 of the canonical form under the `weft/schema/v1` domain. */
  readonly hash: string;
  readonly #canonical: CanonicalValue;

  constructor(init: SchemaInit) {
    this.version = checkVersion(init.version);
    this.collections = deepFreeze(init.collections);
    this.migration = init.migration === undefined ? undefined : deepFreeze(init.migration);
    this.history = init.history ?? new Map();
    if (this.migration !== undefined && !this.history.has(this.migration.prev))
      throw new WeftError('E_SCHEMA', 'a migrated schema needs its predecessor in its history');
    this.#canonical = deepFreeze(schemaToCanonical(this.version, this.collections, this.migration));
    this.hash = hashCanonical(this.#canonical);
    Object.freeze(this);
  }

  /** The canonical form (frozen): what is hashed, and what `schemaFromCanonical` reads back. */
  toCanonical(): CanonicalValue {
    return this.#canonical;
  }

  /** True for this version's hash and every predecessor's. */
  knows(hash: string): boolean {
    return hash === this.hash || this.history.has(hash);
  }

  /** This version or a predecessor, by hash. */
  byHash(hash: string): Schema | undefined {
    return hash === this.hash ? (this as Schema) : this.history.get(hash);
  }

  /** The next version: `steps` applied, checked as a whole; this one joins its history. */
  migrate<const St extends readonly MigrationStep[]>(m: {
    readonly version: number;
    readonly steps: St;
  }): Schema<ApplySteps<M, St>> {
    if (checkVersion(m.version) <= this.version)
      throw new WeftError('E_SCHEMA', `migration version ${m.version} must be above ${this.version}`);
    const collections = compileCollections(applySteps(this.collections, m.steps));
    const steps = m.steps.map((s, i) => toCanonicalData(s, `migration step ${i}`));
    const history = new Map(this.history);
    history.set(this.hash, this as Schema);
    return new Schema({ version: m.version, collections, migration: { prev: this.hash, steps }, history });
  }

  /** A compiled collection, or undefined. */
  collection(name: string): CollectionSpec | undefined {
    return Object.hasOwn(this.collections, name) ? this.collections[name] : undefined;
  }

  /** The spec of a field (dotted path or segments), or undefined. */
  field(collection: string, path: string | readonly string[]): FieldSpec | undefined {
    const c = this.collection(collection);
    if (c === undefined) return undefined;
    return lookupPath(c.fields, typeof path === 'string' ? path.split('.') : path)?.spec;
  }

  /** The collection a ref field points into. */
  refTarget(collection: string, field: string): string | undefined {
    const spec = this.field(collection, field);
    return spec?.type === 'ref' ? spec.to : undefined;
  }

  /** Collection → permission rules, for the permission evaluator. */
  rules(): Readonly<Record<string, AllowRules>> {
    return Object.fromEntries(Object.entries(this.collections).map(([c, spec]) => [c, spec.allow]));
  }

  /** Every declared index, with its collection, for the query module. */
  indexDefinitions(): SchemaIndexDefinition[] {
    return Object.entries(this.collections).flatMap(([collection, spec]) =>
      spec.indexes.map((ix) => ({ name: ix.name, collection, fields: ix.fields })),
    );
  }
}
