/**
 * Opening a replica with a first screen: `openReplica` starts the full open and, meanwhile,
 * answers queries from the persisted indexes (query/stored-query.ts), so an app with a large
 * database shows its first rows in milliseconds instead of after every change and doc loaded.
 *
 * Invariants:
 *  1. `fetch` answers exactly what the loaded replica would answer at the moment it opens:
 *     from storage only while the replica is still loading and nothing but stored state
 *     exists, and only when storage can answer exactly (stored-query.ts invariant 1).
 *  2. Storage reads asked for in the tick that opened the replica run before the full open
 *     starts, so the first screen doesn't queue behind a database-sized load.
 */
import { queriesOf } from '../query/replica-queries.ts';
import { QueryBuilder } from '../query/query-builder.ts';
import type { Query } from '../query/query-spec.ts';
import type { Row } from '../query/rows.ts';
import { runStoredQuery } from '../query/stored-query.ts';
import { createReplica } from './open-replica.ts';
import type { Replica } from './replica.ts';
import type { ReplicaOptions } from './replica-options.ts';
import { sequenceHooks } from './sequence-hooks.ts';

/** A replica being opened: see {@link openReplica}. */
export interface ReplicaOpening {
  /** The replica, once fully loaded (what `createReplica` resolves). */
  readonly replica: Promise<Replica>;
  /**
   * The rows of `q`: from the stored indexes while the replica loads when they can answer it
   * exactly, otherwise from the replica once it has loaded.
   */
  fetch(q: Query | QueryBuilder): Promise<Row[]>;
  /**
   * The rows of `q` from storage alone, or `undefined` when storage can't answer it exactly
   * or the replica has already loaded (then ask the replica). Never waits for the full open.
   */
  peek(q: Query | QueryBuilder): Promise<Row[] | undefined>;
  /** Whether the last `fetch` that resolved was answered from storage (diagnostics). */
  readonly servedFromStorage: number;
}

/**
 * Opens a replica like {@link createReplica}, and answers queries from storage while it loads
 * (invariants 1-2). Rejections of the open reach `replica` and every fetch that needs it.
 */
export function openReplica(options: ReplicaOptions): ReplicaOpening {
  const indexes = options.indexes ?? options.schema?.indexDefinitions() ?? [];
  const storage = options.storage;
  let loaded: Replica | undefined;
  let fromStorage = 0;
  const firstReads: Promise<unknown>[] = [];
  const replica = Promise.resolve()
    .then(() => Promise.allSettled(firstReads))
    .then(() => createReplica(options))
    .then((r) => (loaded = r));
  // Don't report an unhandled rejection when only `fetch` callers are listening.
  replica.catch(() => {});
  const fromReplica = async (spec: Query): Promise<Row[]> => queriesOf(await replica).run(spec);
  const peek = (q: Query | QueryBuilder): Promise<Row[] | undefined> => {
    const spec = q instanceof QueryBuilder ? q.spec : q;
    if (loaded !== undefined || storage === undefined || options.storeOnly === true) return Promise.resolve(undefined);
    const stored = runStoredQuery(storage, indexes, spec, options.sequence ?? sequenceHooks);
    // Only storage reads join invariant 2's queue: a fallback to the replica waits for the open.
    firstReads.push(stored.catch(() => undefined));
    return stored.then((rows) => (loaded === undefined ? rows : undefined));
  };
  return {
    replica,
    get servedFromStorage() {
      return fromStorage;
    },
    peek,
    async fetch(q) {
      const spec = q instanceof QueryBuilder ? q.spec : q;
      const rows = await peek(spec);
      if (rows === undefined) return fromReplica(spec);
      fromStorage++;
      return rows;
    },
  };
}
