/**
 * One change in the Log tab: DAG cell, hash, author, HLC, signature verdict, status with its
 * reason (and a pending change's missing deps), and the decoded ops. Attributes carry the
 * machine-readable parts for tests and tools (`data-hash`, `data-status`, `data-reason`, …).
 */
import { memo, type CSSProperties, type ReactNode } from 'react';
import type { LogRow as Row, OpSummary } from '@weft/engine';
import { DagCell } from './dag-cell.tsx';
import { authorLabel, formatHlc, formatValue, short } from './format.ts';
import { STATUS_COLORS, styles } from './styles.ts';

/** One op as a line of text: `set todos/abc.title = "x"`. */
export function opText(op: OpSummary): string {
  if (op.kind === 'genesis') return `genesis ${formatValue(op.value)}`;
  const target = `${op.collection}/${op.id}${op.field === undefined ? '' : `.${op.field}`}`;
  if (op.kind === 'del') return `del ${target}`;
  if (op.kind === 'seq') return `edit ${target}${op.inserted === undefined ? '' : ` (+${op.inserted})`}`;
  return `${op.kind} ${target} = ${formatValue(op.value)}`;
}

/** Props of {@link LogRowView}. */
export interface LogRowProps {
  readonly row: Row;
  readonly lanes: number;
  readonly laneOf: (hash: string) => number | undefined;
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly self: string | undefined;
  readonly selected: boolean;
  readonly style: CSSProperties;
  readonly onSelect: (row: Row) => void;
  readonly onViewAt: (hash: string) => void;
}

/** A log row. Memoized: the virtual list re-renders rows on every scroll frame. */
export const LogRowView = memo(function LogRowView(p: LogRowProps): ReactNode {
  const { row } = p;
  const ops = row.ops.slice(0, 3).map(opText).join('; ') + (row.ops.length > 3 ? ` … +${row.ops.length - 3}` : '');
  return (
    <div
      data-change-row=""
      data-hash={row.hash}
      data-author={row.author}
      data-status={row.status}
      data-reason={row.reason ?? ''}
      data-index={row.index}
      style={{ ...styles.row, ...p.style, background: p.selected ? '#eef2ff' : undefined, cursor: 'pointer' }}
      onClick={() => p.onSelect(row)}
    >
      <DagCell row={row} lanes={p.lanes} laneOf={p.laneOf} />
      <span title={row.hash} style={{ width: 64 }}>
        {short(row.hash)}
      </span>
      <span title={row.author} style={{ width: 110, overflow: 'hidden' }}>
        {authorLabel(row.author, p.names, p.self)}
      </span>
      <span style={{ width: 100 }}>{formatHlc(row.hlc)}</span>
      <span title={row.signature} style={{ width: 14 }}>
        {row.signature === 'valid' ? '✓' : '?'}
      </span>
      <span style={{ ...styles.badge, background: STATUS_COLORS[row.status] }}>
        {row.status}
        {row.reason === null ? '' : ` ${row.reason}`}
        {row.missing === undefined ? '' : ` missing ${row.missing.map(short).join(', ')}`}
      </span>
      <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' }} title={ops}>
        {ops}
      </span>
      <button
        type="button"
        data-view-at={row.hash}
        title="Show the database as of this change"
        onClick={(e) => {
          e.stopPropagation();
          p.onViewAt(row.hash);
        }}
      >
        as of
      </button>
    </div>
  );
});
