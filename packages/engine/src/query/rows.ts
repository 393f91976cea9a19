/**
 * Result rows: a visible document plus its id, with included relations attached.
 *
 * Invariants:
 *  1. A row is built only from a visible doc (`source.get` returned a value), so deleted docs
 *     never appear, and an include of a deleted or missing doc attaches `null`.
 *  2. `deps` receives the key of every doc an include looked up, found or not: when one of
 *     them changes (or appears), the row may change, so live queries re-build it.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { isDocId } from '../ids.ts';
import { docKey } from '../crdt/doc-state.ts';
import type { IncludeSpec } from './query-spec.ts';

/** A visible document of a query result: its fields, `id`, and attached includes. */
export type Row = { readonly id: string } & { readonly [field: string]: CanonicalValue };

/** A document's visible fields. */
export type DocFields = { readonly [field: string]: CanonicalValue };

/** Where queries read documents. A replica's Materializer has this shape. */
export interface DocSource {
  /** A doc's visible value, or undefined when it doesn't exist or is deleted. */
  get(collection: string, id: string): DocFields | undefined;
  /** Every visible doc of a collection. */
  list(collection: string): readonly { readonly id: string; readonly value: DocFields }[];
  /** The collection a ref field points into, when a schema knows it. */
  refTarget?(collection: string, field: string): string | undefined;
}

/**
 * The collection an include reads: its explicit `collection`, else what the source's schema
 * says, else the field name plus `s` (`list` → `lists`), the convention until schemas land.
 */
export function includeTarget(source: DocSource, collection: string, inc: IncludeSpec): string {
  return inc.collection ?? source.refTarget?.(collection, inc.field) ?? `${inc.field}s`;
}

/**
 * Builds the row of doc `id` from its visible `value`: a fresh object, so callers may keep
 * it as an immutable snapshot. Includes replace the ref under `as` by the target row or null.
 */
export function buildRow(
  source: DocSource,
  collection: string,
  id: string,
  value: DocFields,
  includes: readonly IncludeSpec[],
  deps?: string[],
): Row {
  const row: Record<string, CanonicalValue> = { ...value, id };
  for (const inc of includes) {
    const ref = value[inc.field];
    let attached: CanonicalValue = null;
    if (typeof ref === 'string' && isDocId(ref)) {
      const target = includeTarget(source, collection, inc);
      deps?.push(docKey(target, ref));
      const v = source.get(target, ref);
      if (v !== undefined) attached = buildRow(source, target, ref, v, inc.include, deps);
    }
    row[inc.as] = attached;
  }
  return row as Row;
}
