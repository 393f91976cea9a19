/**
 * The `schema` request: the schema as plain data — collections with their field specs,
 * permission rules and indexes, and every version this replica knows.
 */
import type { Schema } from '../schema/schema.ts';
import type { SchemaResponse } from './inspect-protocol.ts';

/** Answers a `schema` request (null for a schemaless database). */
export function inspectSchema(schema: Schema | undefined): SchemaResponse {
  if (schema === undefined) return { schema: null };
  const collections: Record<string, { fields: unknown; allow: unknown; indexes: unknown }> = {};
  for (const [name, spec] of Object.entries(schema.collections))
    collections[name] = { fields: spec.fields, allow: spec.allow, indexes: spec.indexes };
  const versions = [...schema.history.values(), schema].map((s) => ({ hash: s.hash, version: s.version }));
  return { schema: { hash: schema.hash, version: schema.version, collections, versions } };
}
