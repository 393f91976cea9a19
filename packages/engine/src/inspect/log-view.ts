/**
 * The `log` and `dag` requests: pages of the change log in arrival order, filtered in the
 * replica's thread so a devtools panel never holds more than the rows it shows.
 *
 * Invariants:
 *  1. Stored changes come first in arrival order, then the parked (pending) ones; `index` is a
 *     row's position in that unfiltered sequence, so a filtered row can still be placed.
 *  2. The last filter's matches are cached until the log, a verdict or the pending buffer
 *     changes, so scrolling a filtered list costs a slice, not a scan.
 */
import type { SignedChange } from '../change/change.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';
import type { ChangeLog, LogEntry } from '../log/change-log.ts';
import type { Replica } from '../replica/replica.ts';
import type {
  DagLane,
  DagRequest,
  DagResponse,
  InspectStatus,
  LogFilter,
  LogRequest,
  LogResponse,
  LogRow,
} from './inspect-protocol.ts';
import { logIndex, statusOf, type LogIndex } from './log-index.ts';
import { summarizeOps } from './op-summary.ts';

/** A log item before it becomes a row: a stored change or a parked one. */
type Item =
  | { readonly index: number; readonly entry: LogEntry }
  | { readonly index: number; readonly parked: SignedChange; readonly missing: readonly ChangeHash[] };

interface FilterCache {
  readonly key: string;
  readonly size: number;
  readonly epoch: number;
  readonly pending: number;
  readonly items: Item[];
}

const filtered = new WeakMap<ChangeLog, FilterCache>();

function touches(sc: SignedChange, f: LogFilter): boolean {
  if (f.collection === undefined && f.doc === undefined) return true;
  for (const op of sc.change.ops) {
    if (op.k === 'genesis') continue;
    if ((f.collection === undefined || op.c === f.collection) && (f.doc === undefined || op.d === f.doc)) return true;
  }
  return false;
}

function matches(sc: SignedChange, status: InspectStatus, f: LogFilter): boolean {
  if (f.author !== undefined && sc.change.author !== f.author) return false;
  if (f.status !== undefined && status !== f.status) return false;
  return touches(sc, f);
}

/** A sequence of items that can be sliced without being built whole. */
interface Items {
  readonly length: number;
  slice(from: number, to: number): Item[];
}

/** Every item matching `filter` (or all), with the cache of invariant 2. */
function items(replica: Replica, index: LogIndex, filter: LogFilter | undefined): Items {
  const { log, pending } = replica.internals;
  const parked = pending.parkedChanges();
  const all = filter === undefined || Object.keys(filter).length === 0;
  if (all) {
    // Unfiltered: rows map straight onto the index, so a page costs its own size only.
    const n = index.entries.length;
    return {
      length: n + parked.length,
      slice: (from, to) => {
        const out: Item[] = [];
        for (let i = from; i < Math.min(to, n + parked.length); i++) {
          const p = parked[i - n];
          out.push(i < n ? { index: i, entry: index.entries[i]! } : { index: i, parked: p!.sc, missing: p!.missing });
        }
        return out;
      },
    };
  }
  const key = JSON.stringify(filter ?? {});
  const cached = filtered.get(log);
  if (
    cached !== undefined &&
    cached.key === key &&
    cached.size === index.size &&
    cached.epoch === log.statusEpoch &&
    cached.pending === parked.length
  )
    return cached.items;
  const out: Item[] = [];
  const f = filter ?? {};
  index.entries.forEach((entry, i) => {
    if (matches(entry.sc, statusOf(entry), f)) out.push({ index: i, entry });
  });
  parked.forEach((p, k) => {
    if (matches(p.sc, 'pending', f)) out.push({ index: index.entries.length + k, parked: p.sc, missing: p.missing });
  });
  filtered.set(log, { key, size: index.size, epoch: log.statusEpoch, pending: parked.length, items: out });
  return out;
}

/** Lanes of the stored changes, plus any for authors seen only in parked changes. */
function lanesWith(index: LogIndex, extra: readonly AuthorId[]): { list: DagLane[]; of: (a: AuthorId) => number } {
  const list = [...index.laneList];
  const more = new Map<AuthorId, number>();
  for (const a of extra)
    if (!index.lanes.has(a) && !more.has(a)) {
      more.set(a, list.length);
      list.push({ author: a, lane: list.length });
    }
  return { list, of: (a) => index.lanes.get(a) ?? more.get(a) ?? 0 };
}

function toRow(replica: Replica, item: Item, laneOf: (a: AuthorId) => number): LogRow {
  const { log, state } = replica.internals;
  const sc = 'entry' in item ? item.entry.sc : item.parked;
  const c = sc.change;
  const base = {
    hash: sc.hash,
    author: c.author,
    seq: c.seq,
    hlc: c.hlc,
    deps: c.deps,
    ops: summarizeOps(c.ops, state.seqHooks),
    lane: laneOf(c.author),
    index: item.index,
  };
  if (!('entry' in item))
    return {
      ...base,
      height: -1,
      status: 'pending',
      reason: null,
      missing: item.missing,
      signature: 'valid',
      isHead: false,
    };
  const e = item.entry;
  return {
    ...base,
    height: e.height,
    status: statusOf(e),
    reason: e.reason,
    // A snapshot-covered change was accepted on the snapshot signer's word, not checked here.
    signature: e.covered === undefined ? 'valid' : 'unverified',
    isHead: log.heads.has(sc.hash),
  };
}

/** Answers a `log` request. */
export function inspectLog(replica: Replica, req: LogRequest): LogResponse {
  const { log } = replica.internals;
  const index = logIndex(log);
  const list = items(replica, index, req.filter);
  const page = list.slice(req.offset, req.offset + req.limit);
  const lanes = lanesWith(
    index,
    page.flatMap((it) => ('parked' in it ? [it.parked.change.author] : [])),
  );
  return {
    total: list.length,
    rows: page.map((it) => toRow(replica, it, lanes.of)),
    heads: [...log.heads].sort(),
    lanes: lanes.list,
  };
}

/** Answers a `dag` request: the unfiltered log's nodes with their lanes. */
export function inspectDag(replica: Replica, req: DagRequest): DagResponse {
  const res = inspectLog(replica, { v: 1, kind: 'log', offset: req.offset, limit: req.limit });
  return {
    total: res.total,
    lanes: res.lanes,
    heads: res.heads,
    nodes: res.rows.map((r) => ({
      index: r.index,
      hash: r.hash,
      author: r.author,
      lane: r.lane,
      deps: r.deps,
      height: r.height,
      status: r.status,
      isHead: r.isHead,
    })),
  };
}
