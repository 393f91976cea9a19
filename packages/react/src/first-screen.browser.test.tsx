/**
 * Cold start in a real browser: over real IndexedDB, `useQuery` shows the first screen from the
 * stored index while the host is still loading the database (its change log is held back
 * here), then stays live once the replica has loaded.
 */
import { describe, expect, it, vi } from 'vitest';
import { collection, defineSchema, number, query, string, type StorageAdapter } from '@weft/engine';
import { EngineHost, IdentityStore, connectInPage, openIndexedDbStorage } from '@weft/worker';
import { mount } from './mount.test-support.tsx';
import { WeftProvider, useQuery } from './index.ts';

const schema = defineSchema({
  todos: collection({ title: string(), order: number() }, { allow: {}, indexes: [{ fields: ['order'] }] }),
});
type S = typeof schema;
const firstScreen = query('todos').where('order', '>=', 10).orderBy('order').limit(5);

describe('first screen at cold start', () => {
  it('renders stored rows before the database has loaded, then goes live', async () => {
    const name = `fs${Math.random().toString(36).slice(2, 10)}`;
    const identities = new IdentityStore();
    const seedHost = new EngineHost({ identities, openStorage: (n) => openIndexedDbStorage(`${name}:${n}`) });
    const seeded = connectInPage<S>(seedHost, { name: 'app', schema });
    await seeded.client.mutate((tx) => {
      for (let i = 0; i < 30; i++) tx.insert('todos', { title: `t${i}`, order: (i * 7) % 30 });
    });
    const db = (await seeded.client.ready).db;
    seeded.client.close();
    await seedHost.close();

    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const gated = async (n: string): Promise<StorageAdapter> => {
      const inner = await openIndexedDbStorage(`${name}:${n}`);
      return {
        ...inner,
        async scan(store, options) {
          if (store === 'changes') await released;
          return inner.scan(store, options);
        },
      };
    };
    const host = new EngineHost({ identities, openStorage: gated });
    const { client } = connectInPage<S>(host, { name: 'app', schema, db });
    let loaded = false;
    void client.ready.then(() => (loaded = true));
    function List() {
      const { data } = useQuery(firstScreen);
      return <p>{data?.map((r) => r.order).join(',') ?? 'loading'}</p>;
    }
    const { el, unmount } = mount(
      <WeftProvider client={client}>
        <List />
      </WeftProvider>,
    );
    await vi.waitFor(() => expect(el.textContent).toBe('10,11,12,13,14'));
    expect(loaded).toBe(false);
    release();
    await client.ready;
    await client.mutate((tx) => tx.insert('todos', { title: 'new', order: 10.5 }));
    await vi.waitFor(() => expect(el.textContent).toBe('10,10.5,11,12,13'));
    unmount();
    client.close();
    await host.close();
  });
});
