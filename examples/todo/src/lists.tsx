/**
 * Named lists: pick one, add one. The first list of a new user has a fixed id derived from
 * their key, so two tabs opening at once create the same list instead of two.
 */
import { useEffect, useState } from 'react';
import { query } from '@weft/engine';
import { useQuery, useWeftClient } from '@weft/react';
import type { TodoSchema } from './schema.ts';
import type { TodoList } from './types.ts';

const KEY = 'weft-todo:list';

export function Lists({
  current,
  onSelect,
  report,
  joined,
  preferred,
}: {
  current: string | null;
  onSelect: (id: string) => void;
  report: (p: Promise<unknown>) => void;
  /** A database joined by invite: its lists arrive by sync, so never create a first one. */
  joined: boolean;
  /** The list an invite link names. */
  preferred: string | null;
}) {
  const client = useWeftClient<TodoSchema>();
  const { data: lists, status } = useQuery<TodoList>(query('lists').orderBy('title'));
  const [naming, setNaming] = useState(false);

  useEffect(() => {
    if (status !== 'success' || lists === undefined) return;
    if (lists.length === 0) {
      if (joined) return;
      void client.ready.then(({ author }) => {
        const id = `home-${author.slice(0, 16)}`;
        report(client.mutate((tx) => tx.insert('lists', { title: 'My todos', owner: author }, id)));
      });
      return;
    }
    if (current === null || !lists.some((l) => l.id === current)) {
      const saved = localStorage.getItem(KEY);
      onSelect(lists.find((l) => l.id === preferred)?.id ?? lists.find((l) => l.id === saved)?.id ?? lists[0]!.id);
    }
  }, [status, lists, current, client, onSelect, report, joined, preferred]);

  const select = (id: string): void => {
    localStorage.setItem(KEY, id);
    onSelect(id);
  };

  return (
    <nav className="weft-lists">
      {lists?.map((l) => (
        <button key={l.id} className={l.id === current ? 'selected' : ''} onClick={() => select(l.id)}>
          {l.title}
        </button>
      ))}
      {naming ? (
        <input
          className="new-list"
          placeholder="List name"
          autoFocus
          onKeyDown={(e) => {
            if (e.key === 'Escape') setNaming(false);
            if (e.key !== 'Enter') return;
            const title = e.currentTarget.value.trim();
            setNaming(false);
            if (title === '') return;
            report(
              client.ready.then(({ author }) => {
                let id = '';
                return client
                  .mutate((tx) => {
                    id = tx.insert('lists', { title, owner: author });
                  })
                  .then(() => select(id));
              }),
            );
          }}
        />
      ) : (
        <button className="add-list" onClick={() => setNaming(true)}>
          + list
        </button>
      )}
    </nav>
  );
}
