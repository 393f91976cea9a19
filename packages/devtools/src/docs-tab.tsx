/**
 * The Docs tab: collections (with document counts), a page of a collection's live documents,
 * and the selected document's editor (doc-editor.tsx).
 */
import { useState, type ReactNode } from 'react';
import type { WeftClient } from '@weft/worker';
import { useInspect } from './use-inspect.ts';
import { DocEditor } from './doc-editor.tsx';
import { ErrorView } from './error-view.tsx';
import { formatValue } from './format.ts';
import { styles } from './styles.ts';
import type { DocRef } from './doc-selection.ts';

const PAGE = 100;

/** Props of {@link DocsTab}. */
export interface DocsTabProps {
  readonly client: WeftClient;
  readonly refresh: number;
  readonly doc: DocRef | undefined;
  readonly onSelect: (doc: DocRef) => void;
  readonly onWhy: (doc: DocRef, field: string) => void;
  readonly onHistory: (doc: DocRef) => void;
}

/** Field name → schema type of a collection (empty without a schema). */
export function useFieldKinds(client: WeftClient, collection: string | undefined): Record<string, string> {
  const { data } = useInspect(client, { v: 1, kind: 'schema' }, 0);
  const fields = collection === undefined ? undefined : data?.schema?.collections[collection]?.fields;
  const out: Record<string, string> = {};
  if (typeof fields === 'object' && fields !== null)
    for (const [k, v] of Object.entries(fields as Record<string, { type?: unknown }>))
      if (typeof v.type === 'string') out[k] = v.type;
  return out;
}

/** The Docs tab. */
export function DocsTab({ client, refresh, doc, onSelect, onWhy, onHistory }: DocsTabProps): ReactNode {
  const [collection, setCollection] = useState<string | undefined>(doc?.collection);
  const [offset, setOffset] = useState(0);
  const collections = useInspect(client, { v: 1, kind: 'collections' }, refresh);
  const docs = useInspect(
    client,
    collection === undefined ? null : { v: 1, kind: 'docs', collection, offset, limit: PAGE },
    refresh,
  );
  const kinds = useFieldKinds(client, collection);
  const current =
    doc !== undefined && doc.collection === collection ? docs.data?.docs.find((d) => d.id === doc.id) : undefined;
  return (
    <div style={styles.split}>
      <div style={{ ...styles.column, width: 160 }}>
        {collections.data?.collections.map((c) => (
          <button
            key={c.name}
            type="button"
            data-collection={c.name}
            style={{ ...styles.tab, textAlign: 'left', ...(c.name === collection ? styles.tabActive : {}) }}
            onClick={() => {
              setCollection(c.name);
              setOffset(0);
            }}
          >
            {c.name} ({c.docs})
          </button>
        ))}
        {collections.error === undefined ? null : <ErrorView error={collections.error} />}
      </div>
      <div style={{ ...styles.column, width: 320 }}>
        {docs.data === undefined ? null : (
          <div style={styles.toolbar}>
            <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
              ←
            </button>
            <span>
              {docs.data.total === 0 ? 0 : offset + 1}–{Math.min(offset + PAGE, docs.data.total)} of {docs.data.total}
            </span>
            <button type="button" disabled={offset + PAGE >= docs.data.total} onClick={() => setOffset(offset + PAGE)}>
              →
            </button>
          </div>
        )}
        {docs.data?.docs.map((d) => (
          <div
            key={d.id}
            data-doc-row=""
            data-id={d.id}
            style={{ ...styles.row, cursor: 'pointer', background: d.id === doc?.id ? '#eef2ff' : undefined }}
            onClick={() => collection !== undefined && onSelect({ collection, id: d.id })}
          >
            <b>{d.id}</b> <span style={styles.small}>{formatValue(d.doc)}</span>
          </div>
        ))}
        {docs.error === undefined ? null : <ErrorView error={docs.error} />}
      </div>
      <div style={{ ...styles.column, flex: 1 }}>
        {current === undefined || doc === undefined ? (
          <div style={{ ...styles.pre, ...styles.small }}>select a document</div>
        ) : (
          <DocEditor
            client={client}
            collection={doc.collection}
            id={doc.id}
            doc={current.doc}
            kinds={kinds}
            onWhy={(f) => onWhy(doc, f)}
            onHistory={() => onHistory(doc)}
          />
        )}
      </div>
    </div>
  );
}
