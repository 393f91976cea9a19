/**
 * Text and presence through the host API: two connections may pick the same subscription id
 * and each hears only its own; tab input is checked with typed errors before anything changes;
 * closing a connection ends its subscriptions and presence.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { collection, createMemoryStorage, defineSchema, encodeSchema, newDocId, string, text } from '@weft/engine';
import { EngineHost } from './engine-host.ts';
import { IdentityStore } from './identity-store.ts';
import { unwrap, type Push, type Result } from '../protocol/host-api.ts';

const schema = defineSchema({ notes: collection({ title: string(), body: text() }) });

const codeOf = (r: Result<unknown>): string | undefined => (r.ok ? undefined : r.error.code);

describe('collaboration through the host API', () => {
  it('keys text subscriptions per connection and checks tab input', async () => {
    const storage = createMemoryStorage();
    const host = new EngineHost({ identities: new IdentityStore(), openStorage: async () => storage });
    const pa: Push[] = [];
    const pb: Push[] = [];
    const a = host.connect((p) => pa.push(p));
    const b = host.connect((p) => pb.push(p));
    const req = { name: 'c', schema: encodeSchema(schema), identity: null, db: null };
    unwrap(await a.open(req));
    unwrap(await b.open(req));
    const id = newDocId();
    const hash = await a.mutate('c', 'mutation-1', [{ op: 'insert', c: 'notes', id, fields: { title: 't' } }]);
    expect(hash.ok).toBe(true);
    unwrap(await a.openText('c', 's1', 'notes', id, 'body'));
    unwrap(await b.openText('c', 's1', 'notes', id, 'body'));
    const v = (pa[0] as { v: number }).v;
    unwrap(await a.editText('c', 's1', v, [['i', 0, 'hi']]));
    expect(pa.at(-1)).toMatchObject({ weft: 'text', sub: 's1', kind: 'edits', own: true });
    expect(pb.at(-1)).toMatchObject({ weft: 'text', sub: 's1', kind: 'edits', own: false, edits: [['i', 0, 'hi']] });

    expect(codeOf(await a.editText('c', 's1', v + 1, [['x', 0, 'y']] as never))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(await a.editText('c', 'nope', v + 1, [['i', 0, 'y']]))).toBe('E_NOT_FOUND');
    expect(codeOf(await a.setPresence('c', { user: 'a', color: 'blue', cursor: null }))).toBe('E_INVALID_ARGUMENT');
    const cursor = { sub: 'other', v: v + 1, anchor: 0, head: 1 };
    expect(codeOf(await a.setPresence('c', { user: 'a', color: '#123456', cursor }))).toBe('E_NOT_FOUND');

    unwrap(await b.watchPresence('c'));
    unwrap(await a.setPresence('c', { user: 'Ada', color: '#123456', cursor: { ...cursor, sub: 's1' } }));
    const seen = (): { user: string; cursor: { head: number } | null }[] =>
      (pb.filter((p) => p.weft === 'presence').at(-1) as { peers: never[] } | undefined)?.peers ?? [];
    for (let i = 0; i < 50 && seen().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen()).toMatchObject([{ user: 'Ada', local: true, cursor: { anchor: 0, head: 1 } }]);
    a.close();
    for (let i = 0; i < 50 && seen().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen()).toEqual([]);
    await host.close();
  });
});
