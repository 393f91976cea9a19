/**
 * The Log tab: lanes (one per author) and heads, filters, and the virtualized list of changes,
 * newest last. Only the pages on screen are asked for (use-log-pages.ts); the selected change's
 * full ops, deps and missing deps show below the list.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { LogFilter, LogRow } from '@weft/engine';
import type { WeftClient } from '@weft/worker';
import { useLogPages } from './use-log-pages.ts';
import { LogFilters } from './log-filters.tsx';
import { LogRowView } from './log-row.tsx';
import { authorLabel, formatValue, laneColor, short } from './format.ts';
import { ROW_HEIGHT, styles } from './styles.ts';
import { ErrorView } from './error-view.tsx';

/** Props of {@link LogTab}. */
export interface LogTabProps {
  readonly client: WeftClient;
  readonly refresh: number;
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly onViewAt: (hash: string) => void;
}

/** The Log tab. */
export function LogTab({ client, refresh, names, onViewAt }: LogTabProps): ReactNode {
  const [filter, setFilter] = useState<LogFilter>({});
  const [selected, setSelected] = useState<LogRow | undefined>(undefined);
  const [jump, setJump] = useState('');
  const pages = useLogPages(client, filter, refresh);
  const self = client.author;
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = pages.total ?? 0;
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;
  const { ensure, gen } = pages;
  useEffect(() => {
    if (count > 0) ensure(first, last);
  }, [ensure, gen, first, last, count]);

  const visibleLanes = new Map<string, number>();
  for (const it of items) {
    const r = pages.rowAt(it.index);
    if (r !== undefined) visibleLanes.set(r.hash, r.lane);
  }
  const laneOf = (h: string): number | undefined => visibleLanes.get(h);
  const goTo = (index: number) =>
    virtualizer.scrollToIndex(Math.max(0, Math.min(count - 1, index)), { align: 'start' });

  return (
    <div style={styles.body}>
      <div style={styles.toolbar}>
        <LogFilters filter={filter} lanes={pages.lanes} names={names} self={self} onChange={setFilter} />
        <span data-log-total={pages.total ?? ''}>{pages.total === undefined ? '…' : `${pages.total} changes`}</span>
        <input
          data-log-jump=""
          placeholder="row #"
          size={7}
          value={jump}
          onChange={(e) => setJump(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && goTo(Number(jump))}
        />
        <button type="button" onClick={() => goTo(Number(jump))}>
          go
        </button>
        <button type="button" data-log-newest="" onClick={() => goTo(count - 1)}>
          newest ↓
        </button>
      </div>
      <div style={styles.toolbar}>
        <span style={styles.small}>lanes:</span>
        {pages.lanes.map((l) => (
          <span key={l.author} data-lane={l.lane} data-author={l.author} title={l.author}>
            <span style={{ color: laneColor(l.lane) }}>●</span> {authorLabel(l.author, names, self)}
          </span>
        ))}
        <span style={styles.small}>heads:</span>
        {pages.heads.map((h) => (
          <span key={h} data-head="" data-hash={h} title={h} style={{ ...styles.badge, border: '1px solid #111' }}>
            ◎ {short(h)}
          </span>
        ))}
      </div>
      {pages.error === undefined ? null : <ErrorView error={pages.error} />}
      <div ref={scrollRef} style={styles.scroll} data-log-scroll="">
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((it) => {
            const row = pages.rowAt(it.index);
            const style = {
              position: 'absolute',
              top: 0,
              left: 0,
              right: 0,
              transform: `translateY(${it.start}px)`,
            } as const;
            return row === undefined ? (
              <div key={it.key} data-change-placeholder="" style={{ ...styles.row, ...style, color: '#aaa' }}>
                #{it.index} …
              </div>
            ) : (
              <LogRowView
                key={it.key}
                row={row}
                lanes={pages.lanes.length}
                laneOf={laneOf}
                names={names}
                self={self}
                selected={selected?.hash === row.hash}
                style={style}
                onSelect={setSelected}
                onViewAt={onViewAt}
              />
            );
          })}
        </div>
      </div>
      {selected === undefined ? null : (
        <pre
          data-change-detail={selected.hash}
          style={{ ...styles.pre, maxHeight: '30%', overflow: 'auto', borderTop: '1px solid #ddd' }}
        >
          {formatValue(
            {
              hash: selected.hash,
              author: selected.author,
              seq: selected.seq,
              hlc: selected.hlc,
              height: selected.height,
              status: selected.status,
              reason: selected.reason,
              missing: selected.missing,
              signature: selected.signature,
              deps: selected.deps,
              ops: selected.ops,
            },
            2,
          )}
        </pre>
      )}
    </div>
  );
}
