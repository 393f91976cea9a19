/**
 * "Why this value?": for a field of a document, the op that won and the concurrent ops it beat
 * (last-writer-wins order: HLC, then author key). Counters, sets and text have no single
 * winner; the tab says which CRDT the field is.
 */
import { useState, type ReactNode } from 'react';
import type { WhyOp } from '@weft/engine';
import type { WeftClient } from '@weft/worker';
import { useInspect } from './use-inspect.ts';
import { ErrorView } from './error-view.tsx';
import { authorLabel, formatHlc, formatValue, short } from './format.ts';
import { styles } from './styles.ts';
import type { DocRef } from './doc-selection.ts';

/** Props of {@link WhyTab}. */
export interface WhyTabProps {
  readonly client: WeftClient;
  readonly refresh: number;
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly doc: DocRef | undefined;
  readonly field: string | undefined;
}

function OpLine({ op, names, self }: { op: WhyOp; names: WhyTabProps['names']; self: string | undefined }): ReactNode {
  return (
    <>
      <b data-why-value="">{formatValue(op.value)}</b> <span>by {authorLabel(op.author, names, self)}</span>{' '}
      <span>at {formatHlc(op.hlc)}</span>{' '}
      <span title={op.hash}>
        in change {short(op.hash)} (op {op.op})
      </span>
    </>
  );
}

/** The Why tab. */
export function WhyTab({ client, refresh, names, doc, field: initialField }: WhyTabProps): ReactNode {
  const [collection, setCollection] = useState(doc?.collection ?? '');
  const [id, setId] = useState(doc?.id ?? '');
  const [field, setField] = useState(initialField ?? '');
  const ready = collection !== '' && id !== '' && field !== '';
  const why = useInspect(client, ready ? { v: 1, kind: 'why', collection, id, field } : null, refresh);
  const self = client.author;
  return (
    <div style={styles.body}>
      <div style={styles.toolbar}>
        <input
          data-why-collection=""
          placeholder="collection"
          size={12}
          value={collection}
          onChange={(e) => setCollection(e.target.value.trim())}
        />
        <input
          data-why-id=""
          placeholder="doc id"
          size={24}
          value={id}
          onChange={(e) => setId(e.target.value.trim())}
        />
        <input
          data-why-field-input=""
          placeholder="field"
          size={14}
          value={field}
          onChange={(e) => setField(e.target.value.trim())}
        />
      </div>
      {why.error === undefined ? null : <ErrorView error={why.error} />}
      {!ready || why.data === undefined ? null : (
        <div style={{ ...styles.pre, display: 'flex', flexDirection: 'column', gap: 6 }} data-why-kind={why.data.kind}>
          {why.data.winner === null ? (
            <div>
              {why.data.kind === 'none'
                ? 'no such field on a live document'
                : `a ${why.data.kind} field merges every write; no single op wins`}
            </div>
          ) : (
            <div data-why-winner="" data-hash={why.data.winner.hash}>
              winner: <OpLine op={why.data.winner} names={names} self={self} />
            </div>
          )}
          {why.data.winner !== null && why.data.beaten.length === 0 ? <div>no concurrent write lost to it</div> : null}
          {why.data.beaten.map((b) => (
            <div key={`${b.hash}:${b.op}`} data-why-beaten="" data-hash={b.hash} style={{ color: '#666' }}>
              beat: <OpLine op={b} names={names} self={self} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
