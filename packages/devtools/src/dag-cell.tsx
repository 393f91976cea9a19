/**
 * One row's slice of the DAG drawing: a vertical line per author lane, the change's dot in its
 * author's lane (ringed when it is a head), and a stroke toward each dep's lane when the dep
 * is on screen. Drawn per row so the drawing virtualizes with the list.
 */
import type { ReactNode } from 'react';
import type { LogRow } from '@weft/engine';
import { laneColor } from './format.ts';
import { ROW_HEIGHT } from './styles.ts';

const STEP = 12;

/** Props of {@link DagCell}. */
export interface DagCellProps {
  readonly row: LogRow;
  readonly lanes: number;
  /** Lane of a dep hash, when that change is loaded. */
  readonly laneOf: (hash: string) => number | undefined;
}

/** The DAG cell of one log row. */
export function DagCell({ row, lanes, laneOf }: DagCellProps): ReactNode {
  const width = Math.max(1, lanes) * STEP + 4;
  const mid = ROW_HEIGHT / 2;
  const x = (lane: number) => lane * STEP + STEP / 2 + 2;
  const depLanes = [...new Set(row.deps.map(laneOf).filter((l): l is number => l !== undefined && l !== row.lane))];
  return (
    <svg width={width} height={ROW_HEIGHT} style={{ flex: 'none' }} aria-hidden="true">
      {Array.from({ length: lanes }, (_, l) => (
        <line key={l} x1={x(l)} x2={x(l)} y1={0} y2={ROW_HEIGHT} stroke={laneColor(l)} strokeOpacity={0.25} />
      ))}
      {depLanes.map((l) => (
        <line key={`d${l}`} x1={x(row.lane)} y1={mid} x2={x(l)} y2={0} stroke={laneColor(l)} strokeWidth={1.5} />
      ))}
      {row.isHead ? (
        <circle data-head="" data-hash={row.hash} cx={x(row.lane)} cy={mid} r={6} fill="none" stroke="#111" />
      ) : null}
      <circle
        cx={x(row.lane)}
        cy={mid}
        r={4}
        fill={row.status === 'applied' ? laneColor(row.lane) : '#fff'}
        stroke={laneColor(row.lane)}
        strokeWidth={2}
      />
    </svg>
  );
}
