/**
 * A note's history from the inspect API: every change that touched it, oldest first, with its
 * author and status; choosing one shows the note as it was right after that change.
 */
import { useEffect, useState } from 'react';
import { useQuery, useWeftClient } from '@weft/react';
import { query } from '@weft/engine';

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
  const [entries, setEntries] = useState<readonly Entry[]>([]);
  const [at, setAt] = useState<string | null>(null);
  const [doc, setDoc] = useState<Record<string, unknown> | null>(null);
  // Refresh whenever the note changes.
  const live = useQuery(query('notes').where('id', '==', noteId));
  useEffect(() => {
    let live = true;
    client.inspect({ v: 1, kind: 'audit', collection: 'notes', id: noteId }).then(
      (r) => live && setEntries(r.entries as readonly Entry[]),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, noteId, live.data]);
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
    <section className="note-history">
      <h3>History</h3>
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
    </section>
  );
}
