/**
 * The notes app: notebooks on the left, the selected notebook's notes, and the open note with
 * its live body, everyone present, sharing and history.
 */
import { useEffect, useState } from 'react';
import { newDocId, query } from '@weft/engine';
import { usePresence, useQuery, useSyncStatus, useWeftClient } from '@weft/react';
import type { NotesSchema } from './schema.ts';
import { canEdit, roleOf, type MemberRow, type NotebookRow, type NoteRow } from './roles.ts';
import { go, useRoute } from './use-route.ts';
import { NoteEditor } from './note-editor.tsx';
import { NoteHistory } from './note-history.tsx';
import { Share } from './share.tsx';
import { colorOf, loadName, saveName, type Me } from './me.ts';

function useReport(): [string | null, (p: Promise<unknown>) => void] {
  const [error, setError] = useState<string | null>(null);
  return [
    error,
    (p) => {
      setError(null);
      p.catch((e: { code?: string; message?: string }) => setError(`${e.code ?? 'error'}: ${e.message ?? String(e)}`));
    },
  ];
}

export function App() {
  const client = useWeftClient<NotesSchema>();
  const author = client.author;
  const [name, setName] = useState(() => (author === undefined ? 'me' : loadName(author)));
  const me: Me = { user: name, color: author === undefined ? '#888888' : colorOf(author) };
  const route = useRoute();
  const status = useSyncStatus();
  const [error, report] = useReport();
  const notebooks = useQuery<NotebookRow & Record<string, never>>(query('notebooks').orderBy('title')).data ?? [];
  const members = (useQuery(query('members')).data ?? []) as unknown as MemberRow[];
  const notebook = notebooks.find((n) => n.id === route.notebook) ?? null;
  const notes = (useQuery(query('notes').where('notebook', '==', route.notebook ?? '')).data ??
    []) as unknown as NoteRow[];
  const note = notes.find((n) => n.id === route.note) ?? null;
  const role = notebook === null ? null : roleOf(author, notebook, members);
  const [newTitle, setNewTitle] = useState('');

  // Keep presence's name and colour current even without a note open.
  useEffect(() => {
    if (note === null) client.presence.set({ user: me.user, color: me.color, cursor: null });
  }, [client, me.user, me.color, note]);

  const createNotebook = (): void => {
    const id = newDocId();
    const title = newTitle.trim() || 'Untitled notebook';
    report(client.mutate((tx) => void tx.insert('notebooks', { title, owner: author! }, id)).then(() => go(id)));
    setNewTitle('');
  };
  const createNote = (): void => {
    if (notebook === null) return;
    const id = newDocId();
    report(
      client
        .mutate((tx) => void tx.insert('notes', { notebook: notebook.id, title: 'Untitled' }, id))
        .then(() => go(notebook.id, id)),
    );
  };

  return (
    <div className="notes-app" data-role={role ?? 'none'} data-notebook={notebook?.id ?? ''}>
      <header>
        <h1>Weft notes</h1>
        <label>
          Name{' '}
          <input
            className="my-name"
            value={name}
            onChange={(e) => {
              setName(e.target.value);
              saveName(e.target.value);
            }}
          />
        </label>
        <span className="sync" data-state={status.state}>
          {status.state} · {status.peers.map((p) => `${p.transport}:${p.state}`).join(', ') || 'no peers'}
        </span>
        <Present me={me} />
      </header>
      {error !== null && <div className="error">{error}</div>}
      <div className="columns">
        <nav className="notebooks">
          <h2>Notebooks</h2>
          <ul>
            {notebooks.map((n) => (
              <li key={n.id} className={n.id === route.notebook ? 'selected' : ''}>
                <a href={`#/${n.id}`} className="notebook-link" data-id={n.id}>
                  {n.title}
                </a>
              </li>
            ))}
          </ul>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              createNotebook();
            }}
          >
            <input
              className="new-notebook"
              placeholder="New notebook"
              value={newTitle}
              onChange={(e) => setNewTitle(e.target.value)}
            />
          </form>
        </nav>
        {notebook !== null && (
          <nav className="notes">
            <h2>{notebook.title}</h2>
            <div className="my-role">
              Your role: <b data-my-role={role ?? 'none'}>{role ?? 'none'}</b>
            </div>
            <ul>
              {notes.map((n) => (
                <li key={n.id} className={n.id === route.note ? 'selected' : ''}>
                  <a href={`#/${notebook.id}/${n.id}`} className="note-link" data-id={n.id}>
                    {n.title || 'Untitled'}
                  </a>
                </li>
              ))}
            </ul>
            {canEdit(role) && (
              <button className="new-note" onClick={createNote}>
                New note
              </button>
            )}
            <Share
              notebook={notebook}
              members={members.filter((m) => m.notebook === notebook.id)}
              mayManage={role === 'owner'}
              report={report}
            />
          </nav>
        )}
        {note !== null && (
          <main className="note" data-note-id={note.id}>
            <input
              className="note-title"
              value={note.title}
              readOnly={!canEdit(role)}
              onChange={(e) => {
                const title = e.target.value;
                report(client.mutate((tx) => tx.update('notes', note.id, { title })));
              }}
            />
            <NoteEditor key={note.id} noteId={note.id} readOnly={!canEdit(role)} me={me} />
            <NoteHistory noteId={note.id} />
          </main>
        )}
      </div>
    </div>
  );
}

/** Everyone here: other users and this browser's other tabs. */
function Present({ me }: { me: Me }) {
  const peers = usePresence();
  return (
    <ul className="present">
      <li style={{ borderColor: me.color }}>{me.user} (you)</li>
      {peers.map((p) => (
        <li key={p.key} className="present-peer" data-author={p.author} style={{ borderColor: p.color }}>
          {p.user}
          {p.local ? ' (another tab)' : ''}
        </li>
      ))}
    </ul>
  );
}
