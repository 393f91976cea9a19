/** One todo row (TodoMVC markup): toggle, double-click to edit, destroy. Memoised by row identity. */
import { memo, useRef, useState, type KeyboardEvent } from 'react';
import type { Todo } from './types.ts';
import { countRow } from './render-stats.ts';

/** What a row can do. */
export interface TodoActions {
  toggle(id: string, done: boolean): void;
  rename(id: string, title: string): void;
  remove(id: string): void;
}

export const TodoItem = memo(function TodoItem({ todo, actions }: { todo: Todo; actions: TodoActions }) {
  countRow();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  // Escape cancels; the blur that follows must not save.
  const cancelled = useRef(false);

  const save = (): void => {
    if (cancelled.current) {
      cancelled.current = false;
      return;
    }
    setEditing(false);
    const title = draft.trim();
    if (title === '') actions.remove(todo.id);
    else if (title !== todo.title) actions.rename(todo.id, title);
  };
  const onKey = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'Enter') save();
    else if (e.key === 'Escape') {
      cancelled.current = true;
      setEditing(false);
    }
  };

  const classes = [todo.done ? 'completed' : '', editing ? 'editing' : ''].filter(Boolean).join(' ');
  return (
    <li className={classes} data-id={todo.id}>
      <div className="view">
        <input
          className="toggle"
          type="checkbox"
          checked={todo.done}
          onChange={() => actions.toggle(todo.id, !todo.done)}
        />
        <label
          onDoubleClick={() => {
            cancelled.current = false;
            setDraft(todo.title);
            setEditing(true);
          }}
        >
          {todo.title}
        </label>
        <button className="destroy" aria-label="Delete" onClick={() => actions.remove(todo.id)} />
      </div>
      {editing && (
        <input
          className="edit"
          autoFocus
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKey}
          onBlur={save}
        />
      )}
    </li>
  );
});
