import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { collection, createMemoryStorage, defineSchema, encodeSchema, string, type InspectRequest } from '@weft/engine';
import { expectWeftError } from '@weft/engine/testing';
import { EngineHost } from './engine-host.ts';
import { IdentityStore } from './identity-store.ts';
import { HOST_METHODS, unwrap } from '../protocol/host-api.ts';
import { IntentRecorder } from '../protocol/intents.ts';

const schema = defineSchema({ todos: collection({ title: string() }) });

async function opened() {
  const host = new EngineHost({ identities: new IdentityStore(), openStorage: async () => createMemoryStorage() });
  const conn = host.connect(() => undefined);
  const res = unwrap(await conn.open({ name: 'app', schema: encodeSchema(schema), identity: null, db: null }));
  const rec = new IntentRecorder();
  rec.insert('todos', { title: 'one' }, 't1');
  const hash = unwrap(await conn.mutate('app', 'mutation-1', rec.intents));
  return { host, conn, res, hash };
}

describe('HostConnection.inspect', () => {
  it('answers inspect requests from the open replica and its schema', async () => {
    const { conn, res, hash } = await opened();
    expect(HOST_METHODS).toContain('inspect');
    const log = unwrap(await conn.inspect('app', { v: 1, kind: 'log', offset: 0, limit: 10 }));
    expect('rows' in log && log.rows.map((r) => [r.hash, r.author, r.isHead])).toEqual([
      [res.db, res.author, false],
      [hash, res.author, true],
    ]);
    const why = unwrap(await conn.inspect('app', { v: 1, kind: 'why', collection: 'todos', id: 't1', field: 'title' }));
    expect(why).toMatchObject({ kind: 'lww', winner: { hash, value: 'one' }, beaten: [] });
    const s = unwrap(await conn.inspect('app', { v: 1, kind: 'schema' }));
    expect(s).toMatchObject({ schema: { hash: schema.hash, version: 1 } });
  });

  it('refuses malformed requests, other versions and unopened databases with their codes', async () => {
    const { conn } = await opened();
    const call = (r: unknown, name = 'app') => conn.inspect(name, r as InspectRequest).then(unwrap);
    await expectWeftError(call({ v: 1, kind: 'log', offset: -1, limit: 5 }), 'E_INVALID_ARGUMENT');
    await expectWeftError(call('nonsense'), 'E_INVALID_ARGUMENT');
    await expectWeftError(call({ v: 2, kind: 'log', offset: 0, limit: 5 }), 'E_UNSUPPORTED_VERSION');
    await expectWeftError(call({ v: 1, kind: 'schema' }, 'other'), 'E_NOT_FOUND');
    await expectWeftError(call({ v: 1, kind: 'schema' }, '../x'), 'E_INVALID_ARGUMENT');
    await expectWeftError(
      call({ v: 1, kind: 'docAt', collection: 'todos', id: 't1', at: 'ab'.repeat(32) }),
      'E_NOT_FOUND',
    );
  });
});
