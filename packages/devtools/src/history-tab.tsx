/**
 * The History tab (read-only time travel): pick a change and see a document — or a page of a
 * collection — as it was with exactly that change's causal past, and the document's audit
 * trail: who changed which field, when, through which change. All folding runs in the host.
 */
import { useState, type ReactNode } from 'react';
import type { WeftClient } from '@weft/worker';
import { useInspect } from './use-inspect.ts';
import { ErrorView } from './error-view.tsx';
import { authorLabel, formatHlc, formatValue, short } from './format.ts';
import { STATUS_COLORS, styles } from './styles.ts';
import type { DocRef } from './doc-selection.ts';

const HASH = /^[0-9a-f]{64}$/;

/** Props of {@link HistoryTab}. */
export interface HistoryTabProps {
  readonly client: WeftClient;
  readonly refresh: number;
  readonly names: Readonly<Record<string, string>> | undefined;
  readonly doc: DocRef | undefined;
  readonly at: string | undefined;
  readonly onDoc: (doc: DocRef | undefined) => void;
  readonly onAt: (hash: string | undefined) => void;
}

/** The History tab. */
export function HistoryTab(p: HistoryTabProps): ReactNode {
  const [collection, setCollection] = useState(p.doc?.collection ?? '');
  const [id, setId] = useState(p.doc?.id ?? '');
  const [atText, setAtText] = useState(p.at ?? '');
  const at = HASH.test(atText) ? atText : undefined;
  const hasDoc = collection !== '' && id !== '';
  const docAt = useInspect(
    p.client,
    at !== undefined && hasDoc ? { v: 1, kind: 'docAt', collection, id, at } : null,
    p.refresh,
  );
  const docsAt = useInspect(
    p.client,
    at !== undefined && collection !== '' && !hasDoc
      ? { v: 1, kind: 'docsAt', collection, at, offset: 0, limit: 100 }
      : null,
    p.refresh,
  );
  const audit = useInspect(p.client, hasDoc ? { v: 1, kind: 'audit', collection, id } : null, p.refresh);
  const setDoc = (c: string, i: string) => {
    setCollection(c);
    setId(i);
    p.onDoc(c !== '' && i !== '' ? { collection: c, id: i } : undefined);
  };
  const pick = (h: string) => {
    setAtText(h);
    p.onAt(HASH.test(h) ? h : undefined);
  };
  const error = docAt.error ?? docsAt.error ?? audit.error;
  return (
    <div style={styles.body}>
      <div style={styles.toolbar}>
        <input
          data-history-collection=""
          placeholder="collection"
          size={12}
          value={collection}
          onChange={(e) => setDoc(e.target.value.trim(), id)}
        />
        <input
          data-history-id=""
          placeholder="doc id (empty: whole collection)"
          size={24}
          value={id}
          onChange={(e) => setDoc(collection, e.target.value.trim())}
        />
        <span>as of</span>
        <input
          data-history-at=""
          placeholder="change hash (pick from the log or the audit trail)"
          size={40}
          value={atText}
          onChange={(e) => pick(e.target.value.trim())}
        />
      </div>
      {error === undefined ? null : <ErrorView error={error} />}
      <div style={styles.split}>
        <div style={{ ...styles.column, flex: 1 }}>
          {at === undefined ? (
            <div style={{ ...styles.pre, ...styles.small }}>pick a change to see the state as of it</div>
          ) : hasDoc ? (
            <pre data-history-doc="" data-at={at} style={styles.pre}>
              {docAt.data === undefined ? '…' : formatValue(docAt.data.doc, 2)}
            </pre>
          ) : (
            <pre data-history-docs="" data-at={at} style={styles.pre}>
              {docsAt.data === undefined ? '…' : formatValue(docsAt.data, 2)}
            </pre>
          )}
        </div>
        <div style={{ ...styles.column, flex: 2 }}>
          {audit.data?.entries.map((e, i) => (
            <div
              key={`${e.hash}:${i}`}
              data-audit-row=""
              data-hash={e.hash}
              data-field={e.field}
              data-status={e.status}
              style={{ ...styles.row, background: e.hash === at ? '#eef2ff' : undefined }}
            >
              <button type="button" data-audit-at={e.hash} onClick={() => pick(e.hash)}>
                as of
              </button>
              <span title={e.hash}>{short(e.hash)}</span>
              <span title={e.author}>{authorLabel(e.author, p.names, p.client.author)}</span>
              <span>{formatHlc(e.hlc)}</span>
              <span>
                {e.op} {e.field}
              </span>
              <span style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' }}>{formatValue(e.value)}</span>
              <span style={{ ...styles.badge, background: STATUS_COLORS[e.status] }}>
                {e.status}
                {e.reason === null ? '' : ` ${e.reason}`}
              </span>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
