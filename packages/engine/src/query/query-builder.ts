/**
 * The immutable query builder: `replica.query('todos').where('done', '==', false)
 * .orderBy('order').limit(50).include('list')`. Every method returns a new builder; `.spec`
 * is the plain-data {@link Query} that crosses worker boundaries.
 */
import { WeftError } from '../errors.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { LiveDiff } from './live-query.ts';
import type { QueryExplain } from './planner.ts';
import { cmp } from './predicate.ts';
import {
  checkField,
  checkPredicate,
  checkQuery,
  emptyQuery,
  type ComparisonOp,
  type Cursor,
  type IncludeSpec,
  type Predicate,
  type Query,
} from './query-spec.ts';
import { cursorOf } from './row-order.ts';
import type { Row } from './rows.ts';

/** What a bound builder runs against (a replica, or later a worker client). */
export interface QueryHost {
  run(q: Query): Row[];
  explain(q: Query): QueryExplain;
  subscribe(q: Query, onDiff: (diff: LiveDiff) => void): () => void;
}

/** Options of `include`. */
export interface IncludeOptions {
  /** The target collection (default: the schema's, else the field name plus `s`). */
  readonly collection?: string;
  /** Where the included row goes (default: the field name, replacing the ref id). */
  readonly as?: string;
}

/** Builds nested includes: `include('list', q => q.include('owner'))`. */
export class IncludeBuilder {
  constructor(readonly specs: readonly IncludeSpec[] = []) {}

  /** Adds an include; `path` may be dotted (`'list.owner'`) for nested relations. */
  include(path: string, options?: IncludeOptions | Nested, nested?: Nested): IncludeBuilder {
    return new IncludeBuilder(addInclude(this.specs, path, options, nested));
  }
}

/** A callback adding nested includes. */
export type Nested = (q: IncludeBuilder) => IncludeBuilder;

function mergeIncludes(into: readonly IncludeSpec[], more: readonly IncludeSpec[]): IncludeSpec[] {
  let out = [...into];
  for (const m of more) {
    const i = out.findIndex((x) => x.as === m.as);
    if (i < 0) out.push(m);
    else {
      const old = out[i]!;
      out = [...out];
      out[i] = {
        field: m.field,
        collection: m.collection ?? old.collection,
        as: m.as,
        include: mergeIncludes(old.include, m.include),
      };
    }
  }
  return out;
}

function addInclude(
  specs: readonly IncludeSpec[],
  path: string,
  options: IncludeOptions | Nested | undefined,
  nested: Nested | undefined,
): IncludeSpec[] {
  const opts = typeof options === 'function' ? {} : (options ?? {});
  const next = typeof options === 'function' ? options : nested;
  const segs = path.split('.');
  // Build the chain innermost first: 'list.owner' is include('list', q => q.include('owner')).
  const last = segs[segs.length - 1]!;
  let spec: IncludeSpec = {
    field: last,
    collection: opts.collection ?? null,
    as: opts.as ?? last,
    include: next === undefined ? [] : [...next(new IncludeBuilder()).specs],
  };
  for (let i = segs.length - 2; i >= 0; i--)
    spec = { field: segs[i]!, collection: null, as: segs[i]!, include: [spec] };
  const merged = mergeIncludes(specs, [spec]);
  for (const s of merged) checkIncludeShape(s);
  return merged;
}

function checkIncludeShape(s: IncludeSpec): void {
  checkQuery({ ...emptyQuery('x'), include: [s] });
}

/** The immutable builder. Unbound builders (from {@link query}) only build plain data. */
export class QueryBuilder {
  constructor(
    readonly spec: Query,
    private readonly host: QueryHost | null = null,
  ) {}

  private with(patch: Partial<Query>): QueryBuilder {
    return new QueryBuilder({ ...this.spec, ...patch }, this.host);
  }

  /** Adds a filter, ANDed with the ones before: `where('done', '==', false)` or `where(or(…))`. */
  where(predicate: Predicate): QueryBuilder;
  where(field: string, op: ComparisonOp, value: CanonicalValue): QueryBuilder;
  where(a: Predicate | string, op?: ComparisonOp, value?: CanonicalValue): QueryBuilder {
    const p: Predicate = typeof a === 'string' ? cmp(a, op!, value === undefined ? null : value) : a;
    checkPredicate(p);
    const w = this.spec.where;
    const where: Predicate =
      w === null ? p : w.kind === 'and' ? { kind: 'and', of: [...w.of, p] } : { kind: 'and', of: [w, p] };
    return this.with({ where });
  }

  /** Adds a sort key after the ones before. */
  orderBy(field: string, dir: 'asc' | 'desc' = 'asc'): QueryBuilder {
    checkField(field);
    if (dir !== 'asc' && dir !== 'desc') throw new WeftError('E_INVALID_ARGUMENT', 'direction must be asc or desc');
    return this.checked({ orderBy: [...this.spec.orderBy, { field, dir }], after: null });
  }

  /** At most `n` rows. */
  limit(n: number): QueryBuilder {
    return this.checked({ limit: n });
  }

  /** Skips `n` rows (after the cursor, if any). */
  offset(n: number): QueryBuilder {
    return this.checked({ offset: n });
  }

  /** Only rows strictly after `cursor` (from {@link QueryBuilder.cursor}); null clears it. */
  after(cursor: Cursor | null): QueryBuilder {
    return this.checked({ after: cursor === null ? null : { k: [...cursor.k], id: cursor.id } });
  }

  /** Attaches a related doc: see {@link IncludeOptions}; dotted paths nest. */
  include(path: string, options?: IncludeOptions | Nested, nested?: Nested): QueryBuilder {
    return this.checked({ include: addInclude(this.spec.include, path, options, nested) });
  }

  private checked(patch: Partial<Query>): QueryBuilder {
    const b = this.with(patch);
    checkQuery(b.spec);
    return b;
  }

  /** The cursor to pass to `after` to get the page following `row`. */
  cursor(row: Row): Cursor {
    return cursorOf(this.spec, row);
  }

  /** The plain-data query. */
  toQuery(): Query {
    return this.spec;
  }

  private bound(): QueryHost {
    if (this.host === null)
      throw new WeftError('E_INVALID_ARGUMENT', 'unbound query: use replica.query() or runQuery()');
    return this.host;
  }

  /** Runs the query now. */
  run(): Row[] {
    return this.bound().run(this.spec);
  }

  /** How the query runs (index or scan). */
  explain(): QueryExplain {
    return this.bound().explain(this.spec);
  }

  /** A live query: `onDiff` gets the initial result at once, then a diff per commit. */
  subscribe(onDiff: (diff: LiveDiff) => void): () => void {
    return this.bound().subscribe(this.spec, onDiff);
  }
}

/** An unbound builder over `collection`, for building plain queries. */
export function query(collection: string): QueryBuilder {
  const q = emptyQuery(collection);
  checkQuery(q);
  return new QueryBuilder(q);
}
