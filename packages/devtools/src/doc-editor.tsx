/**
 * Views and edits one live document. Saving is a real change signed by the local user through
 * `client.mutate`, so the host's rules apply: a forbidden edit fails with `E_PERMISSION` and
 * shows it. Fields whose CRDT is not a plain register (text, list, counter, set) are shown but
 * not edited here.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { WeftError, toWeftError, type CanonicalValue } from '@weft/engine';
import type { WeftClient } from '@weft/worker';
import { formatValue } from './format.ts';
import { ErrorView } from './error-view.tsx';
import { styles } from './styles.ts';

const NOT_EDITABLE = new Set(['text', 'list', 'counter', 'set']);

/** Props of {@link DocEditor}. */
export interface DocEditorProps {
  readonly client: WeftClient;
  readonly collection: string;
  readonly id: string;
  readonly doc: Record<string, CanonicalValue> | null;
  /** Field name → schema type, when the database has a schema. */
  readonly kinds: Readonly<Record<string, string>>;
  readonly onWhy: (field: string) => void;
  readonly onHistory: () => void;
}

function textOf(v: CanonicalValue | undefined): string {
  return typeof v === 'string' ? v : formatValue(v);
}

/** Reads an edited field back: strings stay text, anything else must be JSON. */
function parseField(
  name: string,
  text: string,
  before: CanonicalValue | undefined,
  kind: string | undefined,
): CanonicalValue {
  if (kind === 'string' || kind === 'ref' || (kind === undefined && typeof before === 'string')) return text;
  try {
    return JSON.parse(text) as CanonicalValue;
  } catch {
    throw new WeftError('E_INVALID_ARGUMENT', `field "${name}" is not valid JSON`);
  }
}

/** The document editor. */
export function DocEditor(p: DocEditorProps): ReactNode {
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [error, setError] = useState<WeftError | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const docKey = `${p.collection}/${p.id}`;
  useEffect(() => {
    setDraft({});
    setError(undefined);
    setSaved(undefined);
  }, [docKey]);
  if (p.doc === null) return <div style={styles.pre}>deleted</div>;
  const doc = p.doc;
  const fields = Object.keys(doc).filter((f) => f !== 'id');

  const save = async (): Promise<void> => {
    setError(undefined);
    setSaved(undefined);
    try {
      const changed: Record<string, CanonicalValue> = {};
      for (const [f, text] of Object.entries(draft)) changed[f] = parseField(f, text, doc[f], p.kinds[f]);
      if (Object.keys(changed).length === 0) return;
      const hash = await p.client.mutate((tx) =>
        (tx as unknown as { update(c: string, id: string, f: Record<string, CanonicalValue>): void }).update(
          p.collection,
          p.id,
          changed,
        ),
      );
      setDraft({});
      setSaved(hash);
    } catch (err) {
      setError(toWeftError(err));
    }
  };

  return (
    <div data-doc-editor={docKey} style={{ padding: 6, display: 'flex', flexDirection: 'column', gap: 4 }}>
      <div>
        <b>{docKey}</b>{' '}
        <button type="button" data-doc-history="" onClick={p.onHistory}>
          history
        </button>
      </div>
      {fields.map((f) => {
        const editable = !NOT_EDITABLE.has(p.kinds[f] ?? '');
        return (
          <label key={f} style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
            <span style={{ width: 90 }}>{f}</span>
            <input
              data-doc-field={f}
              readOnly={!editable}
              style={{ flex: 1, background: editable ? undefined : '#f3f4f6' }}
              value={draft[f] ?? textOf(doc[f])}
              onChange={(e) => setDraft({ ...draft, [f]: e.target.value })}
            />
            <button type="button" data-why-field={f} onClick={() => p.onWhy(f)}>
              why?
            </button>
          </label>
        );
      })}
      <div>
        <button type="button" data-doc-save="" onClick={() => void save()}>
          save (signed change)
        </button>
        {saved === undefined ? null : <span data-doc-saved={saved}> saved as {saved.slice(0, 8)}</span>}
      </div>
      {error === undefined ? null : <ErrorView error={error} />}
    </div>
  );
}
