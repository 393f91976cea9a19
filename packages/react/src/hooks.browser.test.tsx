import { describe, expect, it, vi } from 'vitest';
import { Profiler, StrictMode, Suspense, memo, useState } from 'react';
import {
  boolean,
  collection,
  createMemoryStorage,
  defineSchema,
  number,
  query,
  string,
  WeftError,
  type Row,
} from '@weft/engine';
import { EngineHost, connectInPage, type HostConnection, type WeftClient } from '@weft/worker';
import { mount } from './mount.test-support.tsx';
import { WeftProvider, useDoc, useMutation, useQuery, useSuspenseQuery, useSyncStatus } from './index.ts';

const schema = defineSchema({
  todos: collection({ title: string().minLength(1), done: boolean().default(false), order: number() }),
});
type S = typeof schema;

/** A real host and client in this page, joined by a MessageChannel (comlink and all). */
function setup(): { client: WeftClient<S>; conn: HostConnection } {
  const host = new EngineHost({ openStorage: async () => createMemoryStorage() });
  return connectInPage<S>(host, { name: `t${Math.random().toString(36).slice(2, 10)}`, schema });
}

const tick = () => new Promise((r) => setTimeout(r, 20));
const todos = query('todos').orderBy('order');

describe('React hooks over a real host', () => {
  it('leaks no subscription under StrictMode double mount, and ends it on unmount', async () => {
    const { client, conn } = setup();
    function List() {
      const { data, status } = useQuery(todos);
      return <p data-status={status}>{data?.length ?? '-'}</p>;
    }
    const { el, unmount } = mount(
      <StrictMode>
        <WeftProvider client={client}>
          <List />
          <List />
        </WeftProvider>
      </StrictMode>,
    );
    await vi.waitFor(() => expect(el.querySelector('p')?.dataset.status).toBe('success'));
    await tick();
    expect(client.liveCount).toBe(1); // two components, one shared observer, one host subscription
    expect(conn.liveCount).toBe(1);
    unmount();
    await tick();
    expect(client.liveCount).toBe(0);
    await vi.waitFor(() => expect(conn.liveCount).toBe(0));
  });

  it('re-renders only the toggled row; the list commits once per toggle', async () => {
    const { client } = setup();
    await client.mutate((tx) => {
      for (let i = 0; i < 50; i++) tx.insert('todos', { title: `t${i}`, order: i });
    });
    const renders = new Map<string, number>();
    let commits = 0;
    const Item = memo(function Item({ row }: { row: Row }) {
      renders.set(row.id, (renders.get(row.id) ?? 0) + 1);
      return <li className={row.done === true ? 'done' : ''}>{String(row.title)}</li>;
    });
    function List() {
      const { data } = useQuery(todos);
      return (
        <ul>
          {data?.map((r) => (
            <Item key={r.id} row={r} />
          ))}
        </ul>
      );
    }
    const { el, unmount } = mount(
      <WeftProvider client={client}>
        <Profiler id="list" onRender={() => commits++}>
          <List />
        </Profiler>
      </WeftProvider>,
    );
    await vi.waitFor(() => expect(el.querySelectorAll('li')).toHaveLength(50));
    const rows = await client.query(todos);
    const before = new Map(renders);
    const commitsBefore = commits;
    await client.mutate((tx) => tx.set('todos', rows[7]!.id, 'done', true));
    await vi.waitFor(() => expect(el.querySelectorAll('li.done')).toHaveLength(1));
    await tick();
    for (const r of rows) expect(renders.get(r.id)! - before.get(r.id)!, r.id).toBe(r.id === rows[7]!.id ? 1 : 0);
    expect(commits - commitsBefore).toBe(1);
    unmount();
  });

  it('useMutation writes, useDoc follows one doc, a bad write rejects with its code and changes nothing', async () => {
    const { client } = setup();
    let add!: (title: string) => Promise<unknown>;
    let lastId = '';
    function App() {
      add = useMutation<S, [string]>((tx, title) => {
        lastId = tx.insert('todos', { title, order: 1 });
      });
      const [id] = useState(() => 'x'.repeat(22));
      const doc = useDoc('todos', lastId === '' ? id : lastId);
      const status = useSyncStatus();
      return (
        <p data-changes={status.changes}>
          {doc.data === null ? 'none' : doc.data === undefined ? '…' : String(doc.data.title)}
        </p>
      );
    }
    const { el, unmount } = mount(
      <WeftProvider client={client}>
        <App />
      </WeftProvider>,
    );
    await vi.waitFor(() => expect(el.textContent).toBe('none'));
    const err = await add('').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_VALIDATION');
    expect(await client.query(todos)).toEqual([]);
    await add('milk');
    await vi.waitFor(() => expect(el.textContent).toBe('milk'));
    await vi.waitFor(() => expect(Number(el.querySelector('p')!.dataset.changes)).toBeGreaterThanOrEqual(2));
    unmount();
  });

  it('useSuspenseQuery suspends until the first result', async () => {
    const { client } = setup();
    await client.mutate((tx) => tx.insert('todos', { title: 'a', order: 1 }));
    function Titles() {
      const rows = useSuspenseQuery(todos);
      return <b>{rows.map((r) => String(r.title)).join(',')}</b>;
    }
    const { el, unmount } = mount(
      <WeftProvider client={client}>
        <Suspense fallback={<i>loading</i>}>
          <Titles />
        </Suspense>
      </WeftProvider>,
    );
    await vi.waitFor(() => expect(el.textContent).toBe('a'));
    unmount();
  });
});
