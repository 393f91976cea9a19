/// <reference types="vite/client" />
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRoot } from 'react-dom/client';
import {
  collection,
  createMemoryStorage,
  defineSchema,
  generateIdentity,
  rules,
  signChange,
  string,
  type AuthorId,
  type ChangeHash,
  type DbId,
} from '@weft/engine';
import { EngineHost, connectInPage, type WeftClient } from '@weft/worker';
import { WeftDevtools, isProduction, type DevtoolsTab } from './index.ts';

const schema = defineSchema({
  todos: collection({ title: string() }),
  locked: collection({ title: string() }, { allow: { create: rules.allow(), update: rules.deny() } }),
});
type S = typeof schema;

/** A real host and client in this page, joined by a MessageChannel (comlink and all). */
function setup(hostOut?: { host?: EngineHost }): WeftClient<S> {
  const host = new EngineHost({ openStorage: async () => createMemoryStorage() });
  if (hostOut !== undefined) hostOut.host = host;
  return connectInPage<S>(host, { name: `d${Math.random().toString(36).slice(2, 10)}`, schema }).client;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  vi.unstubAllEnvs();
});

function mount(client: WeftClient<S>, initialTab: DevtoolsTab = 'log', production?: boolean): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  const root = createRoot(el);
  root.render(<WeftDevtools client={client} initialOpen initialTab={initialTab} names={{}} production={production} />);
  cleanups.push(() => {
    root.unmount();
    el.remove();
  });
  return el;
}

const $ = <T extends Element = HTMLElement>(el: ParentNode, sel: string) => el.querySelector<T>(sel);
const $$ = (el: ParentNode, sel: string) => [...el.querySelectorAll<HTMLElement>(sel)];

/** Sets a React-controlled input's value the way a user's typing does. */
function type(input: HTMLInputElement | HTMLSelectElement, value: string): void {
  const proto = input instanceof HTMLSelectElement ? HTMLSelectElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')!.set!.call(input, value);
  input.dispatchEvent(new Event(input instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
}

describe('<WeftDevtools>', () => {
  it('toggles; the Log tab lists changes with the author lane, heads, filters, and only visible rows', async () => {
    const client = setup();
    await client.ready;
    for (let i = 0; i < 4; i++)
      await client.mutate((tx) => {
        for (let k = 0; k < 50; k++) tx.insert('todos', { title: `t${i}-${k}` }, `t${i}x${k}`);
      });
    for (let i = 0; i < 300; i++) await client.mutate((tx) => tx.update('todos', 't0x0', { title: `v${i}` }));
    const el = mount(client);
    const author = client.author!;
    await vi.waitFor(() => expect($(el, '[data-log-total]')?.dataset.logTotal).toBe('305'), { timeout: 5000 });
    await vi.waitFor(() => expect($$(el, '[data-change-row]').length).toBeGreaterThan(5));
    const rows = $$(el, '[data-change-row]');
    expect(rows.length).toBeLessThan(100); // virtualized: 305 changes, only a screenful rendered
    expect(rows[0]!.dataset).toMatchObject({ status: 'applied', reason: '', author, index: '0' });
    expect($(el, `[data-lane][data-author="${author}"]`)).not.toBeNull();
    const heads = $$(el, '[data-head]').map((h) => h.dataset.hash);
    const newest = (await client.inspect({ v: 1, kind: 'log', offset: 304, limit: 1 })).rows[0]!.hash;
    expect(heads).toContain(newest);
    // Filter by document: the 300 title edits plus the insert.
    type($<HTMLInputElement>(el, 'input[data-filter="doc"]')!, 't0x0');
    await vi.waitFor(() => expect($(el, '[data-log-total]')?.dataset.logTotal).toBe('301'));
    type($<HTMLSelectElement>(el, 'select[data-filter="status"]')!, 'rejected');
    await vi.waitFor(() => expect($(el, '[data-log-total]')?.dataset.logTotal).toBe('0'));
    expect($$(el, '[data-change-row]')).toHaveLength(0);
    // The toggle closes and reopens the panel.
    $(el, 'button[data-weft-devtools-toggle]')!.click();
    await vi.waitFor(() => expect($(el, '[role=tab]')).toBeNull());
    $(el, 'button[data-weft-devtools-toggle]')!.click();
    await vi.waitFor(() => expect($(el, '[role=tab]')).not.toBeNull());
    expect($$(el, 'button[role=tab]').map((t) => t.dataset.tab)).toEqual([
      'log',
      'docs',
      'peers',
      'history',
      'why',
      'schema',
    ]);
  });

  it('History shows a document as of a change picked in the log, and its audit trail', async () => {
    const client = setup();
    const first = await client.mutate((tx) => tx.insert('todos', { title: 'draft' }, 'doc1'));
    await client.mutate((tx) => tx.update('todos', 'doc1', { title: 'final' }));
    const el = mount(client);
    await vi.waitFor(() => expect($(el, `[data-view-at="${first}"]`)).not.toBeNull());
    $(el, `[data-view-at="${first}"]`)!.click();
    await vi.waitFor(() => expect($<HTMLInputElement>(el, '[data-history-at]')?.value).toBe(first));
    type($<HTMLInputElement>(el, '[data-history-collection]')!, 'todos');
    type($<HTMLInputElement>(el, '[data-history-id]')!, 'doc1');
    await vi.waitFor(() => expect(JSON.parse($(el, '[data-history-doc]')!.textContent!)).toEqual({ title: 'draft' }));
    await vi.waitFor(() => expect($$(el, '[data-audit-row]').map((r) => r.dataset.field)).toEqual(['title', 'title']));
    expect($$(el, '[data-audit-row]')[0]!.dataset.hash).toBe(first);
  });

  it('Docs edits as a signed change, shows E_PERMISSION for a forbidden edit, and Why names the winner', async () => {
    const client = setup();
    await client.mutate((tx) => {
      tx.insert('todos', { title: 'a' }, 'ok1');
      tx.insert('locked', { title: 'frozen' }, 'no1');
    });
    const el = mount(client, 'docs');
    await vi.waitFor(() => expect($(el, '[data-collection="todos"]')).not.toBeNull());
    $(el, '[data-collection="todos"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-doc-row][data-id="ok1"]')).not.toBeNull());
    $(el, '[data-doc-row][data-id="ok1"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-doc-field="title"]')).not.toBeNull());
    type($<HTMLInputElement>(el, '[data-doc-field="title"]')!, 'edited');
    $(el, '[data-doc-save]')!.click();
    const saved = await vi.waitFor(() => $(el, '[data-doc-saved]')!.dataset.docSaved!);
    expect((await client.inspect({ v: 1, kind: 'log', offset: 0, limit: 10 })).rows.at(-1)).toMatchObject({
      hash: saved,
      author: client.author,
      ops: [{ kind: 'set', collection: 'todos', id: 'ok1', field: 'title', value: 'edited' }],
    });
    // Why this value? for the field just edited names that change.
    $(el, '[data-why-field="title"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-why-winner]')?.dataset.hash).toBe(saved));
    expect($(el, '[data-why-winner] [data-why-value]')!.textContent).toBe('"edited"');
    // A forbidden edit.
    $(el, 'button[data-tab="docs"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-collection="locked"]')).not.toBeNull());
    $(el, '[data-collection="locked"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-doc-row][data-id="no1"]')).not.toBeNull());
    $(el, '[data-doc-row][data-id="no1"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-doc-field="title"]')).not.toBeNull());
    type($<HTMLInputElement>(el, '[data-doc-field="title"]')!, 'thawed');
    $(el, '[data-doc-save]')!.click();
    await vi.waitFor(() => expect($(el, '[data-devtools-error]')?.dataset.code).toBe('E_PERMISSION'));
  });

  it('the Log shows a parked change as pending with its missing dep, then a refused one as rejected with its code', async () => {
    const out: { host?: EngineHost } = {};
    const client = setup(out);
    await client.mutate((tx) => tx.insert('locked', { title: 'frozen' }, 'no1'));
    const replica = (await out.host!.get(client.name)).replica;
    // Another user's changes, signed by hand: a forbidden update, then a change depending on it.
    const rogue = await generateIdentity();
    const base = {
      v: 1,
      db: replica.dbId as DbId,
      author: rogue.author as AuthorId,
      hlc: { ms: Date.now(), c: 0 },
      schema: schema.hash,
    } as const;
    const c1 = await signChange(rogue, {
      ...base,
      seq: 1,
      deps: replica.heads(),
      ops: [{ k: 'set', c: 'locked', d: 'no1', p: ['title'], v: 'thawed' }] as never,
    });
    const c2 = await signChange(rogue, {
      ...base,
      seq: 2,
      deps: [c1.hash as ChangeHash],
      ops: [{ k: 'set', c: 'todos', d: 'r1', p: ['title'], v: 'by rogue' }] as never,
    });
    const el = mount(client);
    await vi.waitFor(() => expect($(el, '[data-log-total]')?.dataset.logTotal).toBe('2'));
    await replica.ingestMany([c2.bytes]);
    const row = (h: string) => $(el, `[data-change-row][data-hash="${h}"]`);
    // Parking commits nothing (no status push): the Log's poll finds it.
    await vi.waitFor(() => expect(row(c2.hash)?.dataset.status).toBe('pending'), { timeout: 5000 });
    expect(row(c2.hash)!.textContent).toContain(`missing ${c1.hash.slice(0, 8)}`);
    expect($(el, `[data-lane][data-author="${rogue.author}"]`)).not.toBeNull();
    await replica.ingestMany([c1.bytes]);
    await vi.waitFor(() => expect(row(c1.hash)?.dataset).toMatchObject({ status: 'rejected', reason: 'E_PERMISSION' }));
    await vi.waitFor(() => expect(row(c2.hash)?.dataset).toMatchObject({ status: 'applied', reason: '' }));
    type($<HTMLSelectElement>(el, 'select[data-filter="status"]')!, 'rejected');
    await vi.waitFor(() => expect($$(el, '[data-change-row]').map((r) => r.dataset.hash)).toEqual([c1.hash]));
  });

  it('Schema shows collections, fields and rules; Peers shows the sync state; History pages a collection', async () => {
    const client = setup();
    const at = await client.mutate((tx) => tx.insert('todos', { title: 'then' }, 'p1'));
    await client.mutate((tx) => tx.insert('todos', { title: 'later' }, 'p2'));
    const el = mount(client, 'schema');
    await vi.waitFor(() => expect($(el, '[data-schema-collection="locked"]')).not.toBeNull());
    expect($(el, '[data-schema-hash]')!.dataset.schemaHash).toBe(schema.hash);
    expect($(el, '[data-schema-collection="locked"]')!.textContent).toContain('"deny"');
    $(el, 'button[data-tab="peers"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-sync-state]')?.dataset.syncState).toBe('local'));
    expect($(el, '[data-peer]')).toBeNull();
    $(el, 'button[data-tab="history"]')!.click();
    await vi.waitFor(() => expect($(el, '[data-history-collection]')).not.toBeNull());
    type($<HTMLInputElement>(el, '[data-history-collection]')!, 'todos');
    type($<HTMLInputElement>(el, '[data-history-at]')!, at);
    await vi.waitFor(() =>
      expect(JSON.parse($(el, '[data-history-docs]')!.textContent!)).toEqual({
        total: 1,
        docs: [{ id: 'p1', doc: { title: 'then' } }],
      }),
    );
  });

  it('renders nothing in a production build', async () => {
    // Vite gives every module of the page its own `import.meta.env` in dev, so the test file's
    // `stubEnv` cannot reach the panel's; the decision reads the env it is given.
    vi.stubEnv('PROD', true);
    expect(isProduction(import.meta.env)).toBe(true);
    expect(isProduction({ PROD: true })).toBe(true);
    expect(isProduction({ PROD: false })).toBe(false);
    expect(isProduction(undefined)).toBe(false);
    expect(isProduction()).toBe(false); // this test run is a dev build
    const client = setup();
    const el = mount(client, 'log', true);
    await new Promise((r) => setTimeout(r, 50));
    expect(el.innerHTML).toBe('');
    const shown = mount(client, 'log', false);
    await vi.waitFor(() => expect($(shown, '[data-weft-devtools]')).not.toBeNull());
  });
});
