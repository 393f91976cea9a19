/**
 * The log, page by page: the panel never asks for more than the pages its virtual list shows,
 * so 100,000 changes cost what 100 do. Filtering and paging run in the host.
 *
 * Invariants:
 *  1. Pages are dropped when the filter or `refresh` changes; an answer to an older filter is
 *     ignored (its generation no longer matches).
 *  2. A page is asked for at most once per generation, however often the list re-renders.
 *  3. Parked (pending) changes commit nothing, so no status push reports them: while mounted,
 *     the hook asks for the filtered total and heads every {@link POLL_MS} and reloads when they
 *     moved.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { toWeftError, type DagLane, type LogFilter, type LogRow, type WeftError } from '@weft/engine';
import type { WeftClient } from '@weft/worker';

/** Rows per page request. */
export const LOG_PAGE = 100;

/** How often the total and heads are re-checked (invariant 3). */
export const POLL_MS = 1500;

/** What the log list reads. */
export interface LogPages {
  /** Rows matching the filter, or undefined before the first answer. */
  readonly total: number | undefined;
  readonly lanes: readonly DagLane[];
  readonly heads: readonly string[];
  readonly error: WeftError | undefined;
  /** Changes when pages are dropped for a refresh or a new filter: visible pages must be asked again. */
  readonly gen: number;
  /** Row `i`, when its page has arrived. */
  rowAt(i: number): LogRow | undefined;
  /** Asks for the pages covering rows `from..to` (inclusive) that are not loaded. */
  ensure(from: number, to: number): void;
}

interface Loaded {
  readonly gen: number;
  readonly pages: ReadonlyMap<number, readonly LogRow[]>;
  readonly total: number | undefined;
  readonly lanes: readonly DagLane[];
  readonly heads: readonly string[];
  readonly error: WeftError | undefined;
}

const EMPTY: Omit<Loaded, 'gen'> = { pages: new Map(), total: undefined, lanes: [], heads: [], error: undefined };

/** Pages of the log matching `filter`, reloaded when `refresh` changes. */
export function useLogPages(client: WeftClient, filter: LogFilter, refresh: number): LogPages {
  const key = JSON.stringify(filter);
  const gen = useRef(0);
  const asked = useRef(new Set<number>());
  const [loaded, setLoaded] = useState<Loaded>({ gen: 0, ...EMPTY });
  const [nudge, setNudge] = useState(0);
  const seen = useRef({ total: loaded.total, heads: loaded.heads.join() });
  seen.current = { total: loaded.total, heads: loaded.heads.join() };

  const fetchPage = useCallback(
    (page: number, g: number) => {
      if (asked.current.has(page)) return;
      asked.current.add(page);
      const f = JSON.parse(key) as LogFilter;
      const request = { v: 1, kind: 'log', offset: page * LOG_PAGE, limit: LOG_PAGE } as const;
      client.inspect(Object.keys(f).length === 0 ? request : { ...request, filter: f }).then(
        (res) =>
          setLoaded((prev) => {
            if (prev.gen !== g || g !== gen.current) return prev;
            const pages = new Map(prev.pages);
            pages.set(page, res.rows);
            return { gen: g, pages, total: res.total, lanes: res.lanes, heads: res.heads, error: undefined };
          }),
        (err: unknown) => {
          asked.current.delete(page);
          setLoaded((prev) => (prev.gen === g ? { ...prev, error: toWeftError(err) } : prev));
        },
      );
    },
    [client, key],
  );

  const lastKey = useRef(key);
  useEffect(() => {
    const g = ++gen.current;
    asked.current = new Set();
    // A refresh keeps showing the old rows until new pages replace them; a new filter starts
    // empty, so no row is shown under a filter it does not match (invariant 1).
    const reset = lastKey.current !== key;
    lastKey.current = key;
    setLoaded((prev) => (reset ? { ...EMPTY, gen: g } : { ...prev, gen: g }));
    fetchPage(0, g);
  }, [fetchPage, key, refresh, nudge]);

  // Invariant 3.
  useEffect(() => {
    const f = JSON.parse(key) as LogFilter;
    const request = { v: 1, kind: 'log', offset: 0, limit: 1 } as const;
    const timer = setInterval(() => {
      client.inspect(Object.keys(f).length === 0 ? request : { ...request, filter: f }).then(
        (res) => {
          const s = seen.current;
          if (s.total !== undefined && (res.total !== s.total || res.heads.join() !== s.heads)) setNudge((n) => n + 1);
        },
        () => undefined,
      );
    }, POLL_MS);
    return () => clearInterval(timer);
  }, [client, key]);

  const rowAt = useCallback((i: number) => loaded.pages.get(Math.floor(i / LOG_PAGE))?.[i % LOG_PAGE], [loaded.pages]);
  const ensure = useCallback(
    (from: number, to: number) => {
      for (let p = Math.floor(from / LOG_PAGE); p <= Math.floor(to / LOG_PAGE); p++) fetchPage(p, gen.current);
    },
    [fetchPage],
  );
  return {
    total: loaded.total,
    lanes: loaded.lanes,
    heads: loaded.heads,
    error: loaded.error,
    gen: loaded.gen,
    rowAt,
    ensure,
  };
}
