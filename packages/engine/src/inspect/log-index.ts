/**
 * The change log in arrival order, with one DAG lane per author, cached per log: paging through
 * 100,000 changes must not sort them on every request.
 *
 * Invariants:
 *  1. The cache is rebuilt when the log's size changes; verdict changes need no rebuild, because
 *     entries are shared objects whose status is read at request time.
 *  2. Lanes are numbered by each author's first appearance in arrival order, so an author keeps
 *     its lane as the log grows.
 */
import type { AuthorId } from '../ids.ts';
import type { ChangeLog, LogEntry } from '../log/change-log.ts';
import type { DagLane, InspectStatus } from './inspect-protocol.ts';

/** The cached view of one log. */
export interface LogIndex {
  readonly size: number;
  /** Stored changes (not pruned stubs), arrival order. */
  readonly entries: readonly LogEntry[];
  readonly lanes: ReadonlyMap<AuthorId, number>;
  readonly laneList: readonly DagLane[];
}

const cache = new WeakMap<ChangeLog, LogIndex>();

/** The arrival-order index of `log` (invariant 1). */
export function logIndex(log: ChangeLog): LogIndex {
  const cached = cache.get(log);
  if (cached !== undefined && cached.size === log.size) return cached;
  const entries: LogEntry[] = [];
  for (const e of log.byHash.values()) if (e.covered !== 'pruned') entries.push(e);
  // Map order is almost arrival order already, so this sort is close to linear.
  entries.sort((a, b) => a.order - b.order);
  const lanes = new Map<AuthorId, number>();
  const laneList: DagLane[] = [];
  for (const e of entries) {
    const author = e.sc.change.author;
    if (lanes.has(author)) continue;
    lanes.set(author, laneList.length);
    laneList.push({ author, lane: laneList.length });
  }
  const index: LogIndex = { size: log.size, entries, lanes, laneList };
  cache.set(log, index);
  return index;
}

/** The inspect status of a stored change. */
export function statusOf(e: LogEntry): InspectStatus {
  if (e.status === 'applied') return 'applied';
  return e.rolledBack === true ? 'rolledBack' : 'rejected';
}
