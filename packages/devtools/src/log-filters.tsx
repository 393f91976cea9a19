/** The Log tab's filters: author, status, collection and document (applied in the host). */
import type { ReactNode } from 'react';
import { INSPECT_STATUSES, type DagLane, type InspectStatus, type LogFilter } from '@weft/engine';
import { authorLabel } from './format.ts';

/** Props of {@link LogFilters}. */
export interface LogFiltersProps {
  readonly filter: LogFilter;
  readonly lanes: readonly DagLane[];
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly self: string | undefined;
  readonly onChange: (filter: LogFilter) => void;
}

/** Drops empty fields, so "no filter" is `{}`. */
function clean(f: Record<string, string | undefined>): LogFilter {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') out[k] = v;
  return out as LogFilter;
}

/** The filter controls. */
export function LogFilters({ filter, lanes, names, self, onChange }: LogFiltersProps): ReactNode {
  const set = (k: keyof LogFilter, v: string) => onChange(clean({ ...filter, [k]: v }));
  return (
    <>
      <select data-filter="author" value={filter.author ?? ''} onChange={(e) => set('author', e.target.value)}>
        <option value="">all authors</option>
        {lanes.map((l) => (
          <option key={l.author} value={l.author}>
            {authorLabel(l.author, names, self)}
          </option>
        ))}
      </select>
      <select
        data-filter="status"
        value={filter.status ?? ''}
        onChange={(e) => set('status', e.target.value as InspectStatus | '')}
      >
        <option value="">any status</option>
        {INSPECT_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <input
        data-filter="collection"
        placeholder="collection"
        size={12}
        value={filter.collection ?? ''}
        onChange={(e) => set('collection', e.target.value.trim())}
      />
      <input
        data-filter="doc"
        placeholder="doc id"
        size={14}
        value={filter.doc ?? ''}
        onChange={(e) => set('doc', e.target.value.trim())}
      />
    </>
  );
}
