/**
 * Test helper: an in-memory document source with optional secondary indexes, so query tests
 * run without a replica (no signing, no storage).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { DocFields } from './rows.ts';
import type { IndexCatalog, QuerySource } from './run-query.ts';
import { SortedIndex, type IndexDefinition } from './sorted-index.ts';

/** A mutable in-memory source: `put`/`remove` docs, indexes kept up to date. */
export class TestSource implements QuerySource {
  readonly docs = new Map<string, Map<string, DocFields>>();
  private readonly all: SortedIndex[];
  readonly indexes: IndexCatalog | undefined;

  constructor(defs: readonly IndexDefinition[] = []) {
    this.all = defs.map((d) => new SortedIndex(d));
    this.indexes =
      defs.length === 0 ? undefined : { forCollection: (c: string) => this.all.filter((i) => i.def.collection === c) };
  }

  /** Creates or replaces a doc. */
  put(collection: string, id: string, value: { readonly [field: string]: CanonicalValue }): this {
    let coll = this.docs.get(collection);
    if (coll === undefined) this.docs.set(collection, (coll = new Map()));
    coll.set(id, value);
    for (const idx of this.all) if (idx.def.collection === collection) idx.set(id, idx.keyFor(id, value));
    return this;
  }

  /** Deletes a doc. */
  remove(collection: string, id: string): this {
    this.docs.get(collection)?.delete(id);
    for (const idx of this.all) if (idx.def.collection === collection) idx.set(id, undefined);
    return this;
  }

  /** A doc's value, or undefined. */
  get(collection: string, id: string): DocFields | undefined {
    return this.docs.get(collection)?.get(id);
  }

  /** Every doc of a collection, in insertion order (queries must not depend on it). */
  list(collection: string): { id: string; value: DocFields }[] {
    return [...(this.docs.get(collection) ?? [])].map(([id, value]) => ({ id, value }));
  }

  /** The same docs without indexes (the reference a planned query must agree with). */
  withoutIndexes(): QuerySource {
    return { get: (c, d) => this.get(c, d), list: (c) => this.list(c) };
  }
}
