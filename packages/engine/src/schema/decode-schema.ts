/**
 * Reads a schema back from its canonical form, e.g. one that travelled in the log.
 *
 * Invariants:
 *  1. The result's hash equals the hash of the input: anything that is not exactly a canonical
 *     schema (extra keys, unresolved rules, unnamed indexes) is `E_SCHEMA`.
 *  2. A migrated version decodes only when its predecessor is given (directly or in a given
 *     schema's history), and only when replaying its steps on the predecessor gives exactly its
 *     collections, so a forged migration record cannot rename someone else's data.
 */
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import type { CollectionsSpec } from './collection-spec.ts';
import { collectionsToCanonical, hashCanonical, SCHEMA_FORMAT, type MigrationRecord } from './canonical-form.ts';
import { compileCollections, type CollectionDraft } from './compile.ts';
import { applySteps } from './apply-steps.ts';
import type { MigrationStepData } from './migration-steps.ts';
import type { SchemaShape } from './infer.ts';
import { isPlainMap } from './value-check.ts';
import { checkVersion, Schema } from './schema.ts';

function bad(message: string): never {
  throw new WeftError('E_SCHEMA', `schema: ${message}`);
}

function onlyKeys(m: Record<string, CanonicalValue>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(m)) if (!allowed.includes(k)) bad(`${where} has unexpected key "${k}"`);
}

function drafts(raw: CanonicalValue | undefined): Record<string, CollectionDraft> {
  if (!isPlainMap(raw)) bad('collections must be a map');
  const out: Record<string, CollectionDraft> = {};
  for (const [c, v] of Object.entries(raw)) {
    if (!isPlainMap(v)) bad(`collection "${c}" must be a map`);
    onlyKeys(v, ['fields', 'allow', 'indexes'], `collection "${c}"`);
    if (!isPlainMap(v.fields)) bad(`collection "${c}" needs fields`);
    out[c] = { fields: v.fields, allow: v.allow, indexes: v.indexes };
  }
  return out;
}

/** Any non-WeftError thrown by malformed input becomes `E_SCHEMA`. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WeftError) throw err;
    return bad(`malformed: ${(err as Error).message}`);
  }
}

function findPredecessor(hash: string, known: Iterable<Schema>): Schema | undefined {
  for (const s of known) {
    const hit = s.byHash(hash);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function sameCollections(a: CollectionsSpec, b: CollectionsSpec): boolean {
  return hashCanonical(collectionsToCanonical(a)) === hashCanonical(collectionsToCanonical(b));
}

/**
 * The schema whose canonical form is `value` (a map, or its canonical encoding as bytes).
 * `known` supplies predecessors for a migrated version. Throws `E_SCHEMA` (or `E_DECODE` for
 * bad bytes). `M` is an unchecked assertion of the schema's TypeScript shape.
 */
export function schemaFromCanonical<M extends SchemaShape = SchemaShape>(
  value: CanonicalValue,
  known: Iterable<Schema> = [],
): Schema<M> {
  const v = value instanceof Uint8Array ? decode(value) : value;
  if (!isPlainMap(v)) bad('canonical form must be a map');
  onlyKeys(v, ['v', 'version', 'collections', 'prev', 'steps'], 'schema');
  if (v.v !== SCHEMA_FORMAT) bad(`unsupported format ${String(v.v)}`);
  const version = checkVersion(v.version);
  const collections = guarded(() => compileCollections(drafts(v.collections)));
  let migration: MigrationRecord | undefined;
  let history: Map<string, Schema> | undefined;
  if (v.prev !== undefined || v.steps !== undefined) {
    if (typeof v.prev !== 'string' || !Array.isArray(v.steps)) bad('prev and steps go together');
    const prev = findPredecessor(v.prev, known);
    if (prev === undefined) bad(`predecessor ${v.prev} is unknown`);
    const steps = v.steps;
    for (const s of steps) if (!isPlainMap(s) || typeof s.s !== 'string' || typeof s.c !== 'string') bad('bad step');
    const replayed = guarded(() =>
      compileCollections(applySteps(prev.collections, steps as unknown as MigrationStepData[])),
    );
    if (!sameCollections(replayed, collections)) bad('migration steps do not produce these collections');
    if (version <= prev.version) bad('a migrated version must be above its predecessor');
    migration = { prev: v.prev, steps };
    history = new Map(prev.history);
    history.set(prev.hash, prev);
  }
  const schema = new Schema<M>({
    version,
    collections,
    ...(migration === undefined ? {} : { migration }),
    ...(history === undefined ? {} : { history }),
  });
  if (schema.hash !== hashCanonical(v)) bad('not in canonical form (it does not re-encode to the same hash)');
  return schema;
}

/** Alias of {@link schemaFromCanonical}. */
export const decodeSchema = schemaFromCanonical;

/** The canonical encoding of a schema: the bytes to store or ship. */
export function encodeSchema(schema: Schema): Uint8Array {
  return encode(schema.toCanonical());
}
