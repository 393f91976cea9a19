/**
 * A note's history from the inspect API: the newest changes that touched it, oldest first, with
 * author and status; choosing one shows the note as it was right after that change. Read only
 * while the panel is open (each text entry carries the whole text, so it is not free).
 */
import { useEffect, useState } from 'react';
import { query } from '@weft/engine';
import { useQuery, useWeftClient } from '@weft/react';

/** How many of the newest changes the panel lists. */
const SHOWN = 50;

interface Entry {
  readonly hash: string;
  readonly author: string;
  readonly field: string;
  readonly op: string;
  readonly status: string;
  readonly reason?: string | null;
}

export function NoteHistory({ noteId }: { noteId: string }) {
  const client = useWeftClient();
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<readonly Entry[]>([]);
  const [at, setAt] = useState<string | null>(null);
  const [doc, setDoc] = useState<Record<string, unknown> | null>(null);
  // Refresh whenever the note changes.
  const note = useQuery(query('notes').where('id', '==', noteId));
  useEffect(() => {
    if (!open) return;
    let live = true;
    const audit = { v: 1, kind: 'audit', collection: 'notes', id: noteId } as const;
    client
      .inspect({ ...audit, limit: 1 })
      .then(({ total }) => client.inspect({ ...audit, offset: Math.max(0, total - SHOWN), limit: SHOWN }))
      .then(
        (r) => live && setEntries(r.entries as readonly Entry[]),
        () => undefined,
      );
    return () => {
      live = false;
    };
  }, [client, noteId, note.data, open]);
  useEffect(() => {
    if (at === null) return setDoc(null);
    let live = true;
    client.inspect({ v: 1, kind: 'docAt', collection: 'notes', id: noteId, at }).then(
      (r) => live && setDoc(r.doc as Record<string, unknown> | null),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, noteId, at]);
  const changes = [...new Map(entries.map((e) => [e.hash, e])).values()];
  return (
    <details className="note-history" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>History</summary>
      <ol>
        {changes.map((e) => (
          <li key={e.hash} data-status={e.status}>
            <button className="history-entry" data-hash={e.hash} onClick={() => setAt(e.hash)}>
              {e.hash.slice(0, 8)} · {e.author.slice(0, 6)} · {e.field} {e.op}
            </button>{' '}
            <span className={`status ${e.status}`}>
              {e.status}
              {e.reason ? ` (${e.reason})` : ''}
            </span>
          </li>
        ))}
      </ol>
      {doc !== null && (
        <pre className="history-doc" data-at={at ?? ''}>
          {String(doc.body ?? '')}
        </pre>
      )}
    </details>
  );
}
