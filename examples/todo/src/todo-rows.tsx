/**
 * The todo rows in memoised chunks. A list of 10,000 rows would make React reconcile 10,000
 * children on every update; chunks of {@link CHUNK} keep their array while none of their rows
 * changed (rows are structurally shared by the live query), so an update reconciles the chunk
 * list and one chunk's rows, and only the changed row renders.
 */
import { memo, useRef } from 'react';
import { TodoItem, type TodoActions } from './todo-item.tsx';
import type { Todo } from './types.ts';

const CHUNK = 100;

const Chunk = memo(function Chunk({ rows, actions }: { rows: readonly Todo[]; actions: TodoActions }) {
  return rows.map((t) => <TodoItem key={t.id} todo={t} actions={actions} />);
});

/** Splits `rows` into chunks, reusing each previous chunk whose rows are all the same objects. */
function useChunks(rows: readonly Todo[]): (readonly Todo[])[] {
  const prev = useRef<(readonly Todo[])[]>([]);
  const out: (readonly Todo[])[] = [];
  for (let i = 0, c = 0; i < rows.length; i += CHUNK, c++) {
    const old = prev.current[c];
    const end = Math.min(rows.length, i + CHUNK);
    let same = old !== undefined && old.length === end - i;
    for (let j = i; same && j < end; j++) same = old![j - i] === rows[j];
    out.push(same ? old! : rows.slice(i, end));
  }
  prev.current = out;
  return out;
}

export function TodoRows({ rows, actions }: { rows: readonly Todo[]; actions: TodoActions }) {
  const chunks = useChunks(rows);
  return (
    <ul className="todo-list">
      {chunks.map((c, i) => (
        <Chunk key={i} rows={c} actions={actions} />
      ))}
    </ul>
  );
}
