import { describe, expect, it } from 'vitest';
import { query, type Row } from '@weft/engine';
import { overlay } from './optimistic.ts';
import { IntentRecorder } from '../protocol/intents.ts';

const rows: Row[] = [
  { id: 'a', title: 'a', done: false, order: 1 },
  { id: 'b', title: 'b', done: false, order: 2 },
  { id: 'c', title: 'c', done: true, order: 3 },
];

function rec(fn: (r: IntentRecorder) => void) {
  const r = new IntentRecorder();
  fn(r);
  return r.intents;
}

describe('optimistic overlay', () => {
  it('is the host result itself when nothing is pending', () => {
    const q = query('todos').orderBy('order').spec;
    expect(overlay(rows, q, [])).toBe(rows);
    expect(
      overlay(
        rows,
        q,
        rec((r) => r.update('other', 'a', { x: 1 })),
      ),
    ).toBe(rows);
  });

  it('applies updates, deletes and inserts in query order, keeping untouched rows', () => {
    const q = query('todos').where('done', '==', false).orderBy('order').spec;
    const base = rows.slice(0, 2);
    const out = overlay(
      base,
      q,
      rec((r) => {
        r.update('todos', 'a', { order: 5 });
        r.insert('todos', { title: 'n', done: false, order: 0 }, 'n');
        r.insert('todos', { title: 'hidden', done: true, order: 0 }, 'h');
      }),
    );
    expect(out.map((x) => x.id)).toEqual(['n', 'b', 'a']);
    expect(out[1]).toBe(base[1]);
    expect(
      overlay(
        base,
        q,
        rec((r) => r.set('todos', 'b', 'done', true)),
      ).map((x) => x.id),
    ).toEqual(['a']);
    expect(
      overlay(
        base,
        q,
        rec((r) => r.delete('todos', 'a')),
      ).map((x) => x.id),
    ).toEqual(['b']);
  });

  it('is idempotent over a result that already holds the write', () => {
    const q = query('todos').orderBy('order').spec;
    const intents = rec((r) => r.update('todos', 'b', { done: true }));
    const once = overlay(rows, q, intents);
    expect(overlay(once, q, intents)).toEqual(once);
    expect(
      overlay(
        rows,
        q,
        rec((r) => r.increment('todos', 'a', 'likes')),
      ),
    ).toBe(rows);
  });

  it('leaves inserts to the host in windowed queries', () => {
    const q = query('todos').orderBy('order').limit(2).spec;
    const out = overlay(
      rows.slice(0, 2),
      q,
      rec((r) => r.insert('todos', { order: 0 }, 'z')),
    );
    expect(out.map((x) => x.id)).toEqual(['a', 'b']);
  });
});
