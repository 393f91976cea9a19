/**
 * The canonical form of a schema and its content hash.
 *
 * ```
 * { v: 1, version, collections: { <name>: { fields, allow, indexes } }, prev?, steps? }
 * hash = hex(sha256("weft/schema/v1" ‖ canonical encoding))
 * ```
 * Field specs, rules and migration steps appear as the same plain data the engine uses, so the
 * canonical codec's sorted keys make the hash independent of declaration order, and any change
 * to a type, constraint, default, rule or index changes it. `prev`/`steps` record the migration
 * a version came from (migration.ts), so a translated history is tamper-evident too.
 */
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { hashWithDomain } from '../crypto/sha256.ts';
import { toHex } from '../bytes.ts';
import { WeftError } from '../errors.ts';
import type { CollectionsSpec } from './collection-spec.ts';

/** Hash domain of schemas. */
export const SCHEMA_DOMAIN = 'weft/schema/v1';

/** Version of the canonical layout itself (not the app's schema version). */
export const SCHEMA_FORMAT = 1;

/** How a schema version came from its predecessor. */
export interface MigrationRecord {
  /** Hash of the predecessor. */
  readonly prev: string;
  /** The steps, as data (migration.ts). */
  readonly steps: readonly CanonicalValue[];
}

/**
 * A deep copy of plain data as a canonical value: plain objects (keys with `undefined` values
 * dropped), arrays, strings, finite numbers, booleans, null and bytes. Anything else (a RegExp, a
 * function, a class instance) is `E_SCHEMA`: rules and specs must be data.
 */
export function toCanonicalData(x: unknown, where: string): CanonicalValue {
  if (x === null || typeof x === 'string' || typeof x === 'boolean') return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new WeftError('E_SCHEMA', `${where}: numbers must be finite`);
    return x;
  }
  if (x instanceof Uint8Array) return x;
  if (Array.isArray(x)) return x.map((v, i) => toCanonicalData(v, `${where}[${i}]`));
  if (typeof x === 'object' && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null)) {
    const out: Record<string, CanonicalValue> = {};
    for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = toCanonicalData(v, `${where}.${k}`);
    return out;
  }
  throw new WeftError('E_SCHEMA', `${where}: ${typeof x} is not plain data`);
}

/** The canonical form of compiled collections. */
export function collectionsToCanonical(collections: CollectionsSpec): CanonicalValue {
  return toCanonicalData(collections, 'collections');
}

/** The canonical form of a whole schema version. */
export function schemaToCanonical(
  version: number,
  collections: CollectionsSpec,
  migration: MigrationRecord | undefined,
): CanonicalValue {
  const base: Record<string, CanonicalValue> = {
    v: SCHEMA_FORMAT,
    version,
    collections: collectionsToCanonical(collections),
  };
  if (migration !== undefined) {
    base.prev = migration.prev;
    base.steps = [...migration.steps];
  }
  return base;
}

/** The schema hash of a canonical form: 64 hex chars. */
export function hashCanonical(value: CanonicalValue): string {
  return toHex(hashWithDomain(SCHEMA_DOMAIN, encode(value)));
}
