/**
 * The TodoMVC app on Weft: the standard markup and behaviours, plus named lists, a sync
 * indicator, sharing, and a visible error for any write the database refuses.
 */
import { useCallback, useLayoutEffect, useMemo, useState } from 'react';
import { query, toWeftError, type WeftError } from '@weft/engine';
import { useMutation, useQuery, useWeftClient } from '@weft/react';
import type { TodoSchema } from './schema.ts';
import type { TodoActions } from './todo-item.tsx';
import { TodoRows } from './todo-rows.tsx';
import { useRoute, type Filter } from './use-route.ts';
import { Lists } from './lists.tsx';
import { SyncIndicator } from './sync-indicator.tsx';
import { Share } from './share.tsx';
import type { Todo } from './types.ts';
import { countCommit } from './render-stats.ts';

const FILTERS: readonly [Filter, string, string][] = [
  ['all', '#/', 'All'],
  ['active', '#/active', 'Active'],
  ['completed', '#/completed', 'Completed'],
];

/** `joined`: this is someone else's database (an invite); `invitedList`: the list to open. */
export function App({ joined = false, invitedList = null }: { joined?: boolean; invitedList?: string | null }) {
  const [error, setError] = useState<WeftError | null>(null);
  const report = useCallback((p: Promise<unknown>) => {
    p.then(
      () => setError(null),
      (e: unknown) => setError(toWeftError(e)),
    );
  }, []);
  const [listId, setListId] = useState<string | null>(null);
  return (
    <>
      <div className="weft-bar">
        <Lists current={listId} onSelect={setListId} report={report} joined={joined} preferred={invitedList} />
        <SyncIndicator />
      </div>
      {error !== null && (
        <div className="weft-error" role="alert" data-code={error.code}>
          <span>{error.message}</span>
          <button onClick={() => setError(null)}>dismiss</button>
        </div>
      )}
      {listId !== null && <Share listId={listId} report={report} />}
      {listId !== null && <TodoApp key={listId} listId={listId} report={report} />}
    </>
  );
}

function TodoApp({ listId, report }: { listId: string; report: (p: Promise<unknown>) => void }) {
  const client = useWeftClient<TodoSchema>();
  const route = useRoute();
  const { data } = useQuery<Todo>(query('todos').where('list', '==', listId).orderBy('order'));
  const todos = useMemo(() => data ?? [], [data]);
  const [draft, setDraft] = useState('');
  // Counts this list's commits for the react benchmark (render-stats.ts); no deps: every commit.
  useLayoutEffect(countCommit);

  const add = useMutation<TodoSchema, [string]>((tx, title) => {
    tx.insert('todos', { list: listId, title, done: false, order: Date.now() });
  });
  const actions: TodoActions = useMemo(
    () => ({
      toggle: (id, done) => report(client.mutate((tx) => tx.update('todos', id, { done }))),
      rename: (id, title) => report(client.mutate((tx) => tx.update('todos', id, { title }))),
      remove: (id) => report(client.mutate((tx) => tx.delete('todos', id))),
    }),
    [client, report],
  );

  const left = todos.filter((t) => !t.done).length;
  const completed = todos.length - left;
  const shown = route === 'all' ? todos : todos.filter((t) => (route === 'active' ? !t.done : t.done));

  return (
    <section className="todoapp" data-list-id={listId}>
      <header className="header">
        <h1>todos</h1>
        <input
          className="new-todo"
          placeholder="What needs to be done?"
          autoFocus
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter') return;
            const title = draft.trim();
            if (title === '') return;
            setDraft('');
            report(add(title));
          }}
        />
      </header>
      {todos.length > 0 && (
        <section className="main">
          <input
            id="toggle-all"
            className="toggle-all"
            type="checkbox"
            checked={left === 0}
            onChange={() =>
              report(
                client.mutate((tx) => {
                  for (const t of todos) if (t.done !== left > 0) tx.update('todos', t.id, { done: left > 0 });
                }),
              )
            }
          />
          <label htmlFor="toggle-all">Mark all as complete</label>
          <TodoRows rows={shown} actions={actions} />
        </section>
      )}
      {todos.length > 0 && (
        <footer className="footer">
          <span className="todo-count">
            <strong>{left}</strong> {left === 1 ? 'item' : 'items'} left
          </span>
          <ul className="filters">
            {FILTERS.map(([f, href, label]) => (
              <li key={f}>
                <a href={href} className={route === f ? 'selected' : ''}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
          {completed > 0 && (
            <button
              className="clear-completed"
              onClick={() =>
                report(
                  client.mutate((tx) => {
                    for (const t of todos) if (t.done) tx.delete('todos', t.id);
                  }),
                )
              }
            >
              Clear completed
            </button>
          )}
        </footer>
      )}
    </section>
  );
}
