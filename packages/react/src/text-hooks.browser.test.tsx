/**
 * useText and usePresence over a real host shared by two tabs (two connections, comlink and
 * all): one tab's edits show in the other's component, edits made at once by both converge,
 * presence with a cursor reaches the other tab, and StrictMode leaves one text subscription.
 */
import { describe, expect, it, vi } from 'vitest';
import { StrictMode } from 'react';
import { collection, createMemoryStorage, defineSchema, newDocId, string, text } from '@weft/engine';
import { EngineHost, connectInPage, type TextObserver, type WeftClient } from '@weft/worker';
import { mount } from './mount.test-support.tsx';
import { WeftProvider, usePresence, useText } from './index.ts';

const schema = defineSchema({ notes: collection({ title: string(), body: text() }) });
type S = typeof schema;

/** Two tabs of one host, on one database. */
async function twoTabs(): Promise<[WeftClient<S>, WeftClient<S>]> {
  const storage = createMemoryStorage();
  const host = new EngineHost({ openStorage: async () => storage });
  const name = `t${Math.random().toString(36).slice(2, 10)}`;
  const tab = (): WeftClient<S> => connectInPage<S>(host, { name, schema }).client;
  const a = tab();
  await a.ready;
  const b = tab();
  await b.ready;
  return [a, b];
}

describe('useText and usePresence', () => {
  it('show one tab’s edits and presence in another, converging under concurrent typing', async () => {
    const [a, b] = await twoTabs();
    const id = newDocId();
    await a.mutate((tx) => void tx.insert('notes', { title: 'n' }, id));
    const observers: Record<string, TextObserver | null> = {};
    function Body({ tab }: { tab: string }) {
      const { state, observer } = useText('notes', id, 'body');
      observers[tab] = observer;
      return <pre data-tab={tab}>{state.ready ? state.text : '…'}</pre>;
    }
    function Others() {
      const peers = usePresence();
      return (
        <ul>
          {peers.map((p) => (
            <li key={p.key} data-cursor={p.cursor?.head ?? ''} data-local={p.local}>
              {p.user}
            </li>
          ))}
        </ul>
      );
    }
    const ma = mount(
      <StrictMode>
        <WeftProvider client={a}>
          <Body tab="a" />
        </WeftProvider>
      </StrictMode>,
    );
    const mb = mount(
      <StrictMode>
        <WeftProvider client={b}>
          <Body tab="b" />
          <Others />
        </WeftProvider>
      </StrictMode>,
    );
    await vi.waitFor(() => expect(ma.el.textContent).toBe(''));
    await vi.waitFor(() => expect(observers.a?.getSnapshot().ready && observers.b?.getSnapshot().ready).toBe(true));
    observers.a!.edit([['i', 0, 'hello world']]);
    await vi.waitFor(() => expect(mb.el.querySelector('pre')!.textContent).toBe('hello world'));

    // Both type at once: A at the start, B at the end, in several calls each.
    for (const ch of 'abc') {
      observers.a!.edit([['i', 0, ch.toUpperCase()]]);
      observers.b!.edit([['i', observers.b!.text.length, ch]]);
    }
    await vi.waitFor(() => {
      expect(ma.el.querySelector('pre')!.textContent).toBe('CBAhello worldabc');
      expect(mb.el.querySelector('pre')!.textContent).toBe('CBAhello worldabc');
    });

    // A's cursor reaches B, marked as another tab of this browser.
    const v = observers.a!.version;
    a.presence.set({ user: 'Ada', color: '#112233', cursor: { sub: v.sub!, v: v.v, anchor: 3, head: 8 } });
    await vi.waitFor(() => {
      const li = mb.el.querySelector('li')!;
      expect(li.textContent).toBe('Ada');
      expect(li.dataset.local).toBe('true');
      expect(li.dataset.cursor).toBe('8');
    });
    ma.unmount();
    mb.unmount();
    a.close();
    b.close();
  });
});
