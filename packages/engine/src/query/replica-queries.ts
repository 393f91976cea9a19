/**
 * Wires queries into a replica: `replica.query()`, `replica.subscribe()`, the secondary index
 * extension, and the commit listener that feeds every live query.
 *
 * Invariants:
 *  1. Live queries see a batch only after it is durable (commit listeners run after the
 *     write), and read the replica's state as it stands after that batch.
 *  2. One commit listener serves every live query of a replica; it is registered while at
 *     least one subscription is open.
 *  3. When the replica reloads its state from storage (after a failed write), every live query
 *     is recomputed against the reloaded state, since no effects describe that rollback.
 *  4. A subscriber that throws affects neither the batch nor the other subscribers.
 */
import type { CommitEvent, CommitListener } from '../replica/effects.ts';
import type { CommitExtension } from '../replica/extension.ts';
import type { Materializer } from '../replica/materializer.ts';
import type { ReplicaCore } from '../replica/core.ts';
import { IndexExtension } from './index-extension.ts';
import { LiveQuery, type LiveDiff, type TouchedDoc } from './live-query.ts';
import type { QueryExplain } from './planner.ts';
import { QueryBuilder, type QueryHost } from './query-builder.ts';
import { checkQuery, emptyQuery, type Query } from './query-spec.ts';
import type { Row } from './rows.ts';
import { explainQuery, runQuery, type QuerySource } from './run-query.ts';
import type { IndexDefinition } from './sorted-index.ts';

/** The part of a replica this module uses. */
export interface QueryReplica {
  readonly internals: ReplicaCore;
  onCommit(listener: CommitListener): () => void;
  use(extension: CommitExtension): Promise<void>;
}

/** A replica's query engine: the builder's host, live queries, indexes. */
export class ReplicaQueries implements QueryHost {
  private readonly live = new Set<LiveQuery>();
  private unlisten: (() => void) | null = null;
  /** Invariant 3: recomputes live queries when the replica reloads. */
  readonly reloadHook: CommitExtension = {
    load: async (_storage, state) => this.resyncAll(this.source(state)),
  };

  constructor(
    private readonly replica: QueryReplica,
    /** The index extension, when indexes were declared. */
    readonly indexes: IndexExtension | null,
  ) {}

  /** A query source over `state` (default: the replica's current state) and the indexes. */
  source(state: Materializer = this.replica.internals.state): QuerySource {
    return {
      get: (c, d) => state.get(c, d),
      list: (c) => state.list(c),
      indexes: this.indexes ?? undefined,
    };
  }

  /** A builder bound to this replica. */
  query(collection: string): QueryBuilder {
    const q = emptyQuery(collection);
    checkQuery(q);
    return new QueryBuilder(q, this);
  }

  /** Runs a query now. */
  run(q: Query): Row[] {
    return runQuery(this.source(), q);
  }

  /** How a query runs. */
  explain(q: Query): QueryExplain {
    return explainQuery(this.source(), q);
  }

  /**
   * Opens a live query. `onDiff` is called at once with the initial result (`initial: true`),
   * then after each committed batch that changes the result. Returns the unsubscribe function.
   */
  subscribe(q: Query | QueryBuilder, onDiff: (diff: LiveDiff) => void): () => void {
    const spec = q instanceof QueryBuilder ? q.spec : q;
    checkQuery(spec);
    const lq = new LiveQuery(spec, (d) => {
      try {
        onDiff(d);
      } catch {
        // Invariant 4: a subscriber's bug stays in the subscriber.
      }
    });
    this.live.add(lq);
    if (this.unlisten === null) this.unlisten = this.replica.onCommit((e) => this.onCommit(e));
    lq.resync(this.source(), true);
    return () => {
      if (!this.live.delete(lq) || this.live.size > 0 || this.unlisten === null) return;
      this.unlisten();
      this.unlisten = null;
    };
  }

  /** Number of open live queries. */
  get liveCount(): number {
    return this.live.size;
  }

  private onCommit(event: CommitEvent): void {
    const touched: TouchedDoc[] = [];
    for (const e of event.effects)
      if (e.type === 'docCreated' || e.type === 'docUpdated' || e.type === 'docDeleted')
        touched.push({ collection: e.collection, id: e.id });
    if (touched.length === 0) return;
    const source = this.source();
    for (const lq of [...this.live]) if (this.live.has(lq)) lq.update(source, touched);
  }

  private resyncAll(source: QuerySource): void {
    for (const lq of [...this.live]) if (this.live.has(lq)) lq.resync(source);
  }
}

const registry = new WeakMap<object, ReplicaQueries>();

/**
 * Sets up queries for a new replica: registers the index extension (loading the indexes from
 * storage) and the reload hook. `createReplica` calls it before handing the replica out.
 */
export async function setupQueries(replica: QueryReplica, indexes?: readonly IndexDefinition[]): Promise<void> {
  const ext = indexes !== undefined && indexes.length > 0 ? new IndexExtension(indexes) : null;
  if (ext !== null) await replica.use(ext);
  const rq = new ReplicaQueries(replica, ext);
  await replica.use(rq.reloadHook);
  registry.set(replica, rq);
}

/** The query engine of `replica` (created on first use if `setupQueries` never ran). */
export function queriesOf(replica: QueryReplica): ReplicaQueries {
  let rq = registry.get(replica);
  if (rq === undefined) {
    const ext = replica.internals.extensions.find((e) => e instanceof IndexExtension) ?? null;
    rq = new ReplicaQueries(replica, ext);
    // No state to load, so it can join the extensions without `use`'s async load.
    replica.internals.extensions.push(rq.reloadHook);
    registry.set(replica, rq);
  }
  return rq;
}
