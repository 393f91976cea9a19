import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  boolean,
  collection,
  createMemoryStorage,
  defineSchema,
  encodeSchema,
  number,
  query,
  string,
  type Query,
  type StorageAdapter,
} from '@weft/engine';
import { expectWeftError } from '@weft/engine/testing';
import { EngineHost } from './engine-host.ts';
import { IdentityStore } from './identity-store.ts';
import { unwrap, type Push, type Result } from '../protocol/host-api.ts';
import { IntentRecorder, type Intent } from '../protocol/intents.ts';
import { applyDiff, decodeDiff } from '../protocol/diff-codec.ts';
import type { Row } from '@weft/engine';

const schema = defineSchema({
  todos: collection({ title: string().minLength(1), done: boolean().default(false), order: number() }),
});

function setup() {
  const stores = new Map<string, StorageAdapter>();
  const host = new EngineHost({
    identities: new IdentityStore(),
    openStorage: async (n) => {
      let s = stores.get(n);
      if (s === undefined) stores.set(n, (s = createMemoryStorage()));
      return s;
    },
  });
  const pushes: Push[] = [];
  const conn = host.connect((p) => pushes.push(p));
  return { host, conn, pushes, stores };
}

const openReq = { name: 'app', schema: encodeSchema(schema), identity: null, db: null };

function intents(fn: (r: IntentRecorder) => void): Intent[] {
  const r = new IntentRecorder();
  fn(r);
  return r.intents;
}

async function expectError(p: Promise<Result<unknown>>, code: string): Promise<void> {
  await expectWeftError(
    p.then((r) => unwrap(r)),
    code as never,
  );
}

describe('EngineHost', () => {
  it('opens, mutates, queries and streams live diffs that patch the previous result', async () => {
    const { conn, pushes } = setup();
    const opened = unwrap(await conn.open(openReq));
    expect(opened.schemaHash).toBe(schema.hash);
    const q: Query = query('todos').orderBy('order').spec;
    unwrap(await conn.subscribe('app', 's1', q));
    let rows: Row[] = [];
    const drain = () => {
      for (const p of pushes.splice(0)) if (p.weft === 'diff') rows = applyDiff(rows, decodeDiff(p.bytes));
    };
    drain();
    expect(rows).toEqual([]);
    const a = intents((r) => r.insert('todos', { title: 'a', order: 2 }, 'aaaaaaaaaaaaaaaaaaaaaa'));
    const b = intents((r) => r.insert('todos', { title: 'b', order: 1 }, 'bbbbbbbbbbbbbbbbbbbbbb'));
    unwrap(await conn.mutate('app', 'mutation-1', a));
    unwrap(await conn.mutate('app', 'mutation-2', b));
    drain();
    expect(rows.map((r) => r.title)).toEqual(['b', 'a']);
    const keep = rows[1];
    unwrap(
      await conn.mutate(
        'app',
        'mutation-3',
        intents((r) => r.set('todos', 'bbbbbbbbbbbbbbbbbbbbbb', 'done', true)),
      ),
    );
    drain();
    expect(rows[0]!.done).toBe(true);
    expect(rows[1]).toBe(keep); // untouched row keeps its identity
    expect(unwrap(await conn.query('app', q))).toEqual(rows);
  });

  it('answers a repeated mutation id with the first hash and commits nothing new', async () => {
    const { conn, host } = setup();
    unwrap(await conn.open(openReq));
    const x = intents((r) => r.insert('todos', { title: 'once', order: 1 }));
    const h1 = unwrap(await conn.mutate('app', 'same-id-123', x));
    const h2 = unwrap(await conn.mutate('app', 'same-id-123', x, true));
    expect(h2).toBe(h1);
    const db = await host.get('app');
    expect(db.replica.list('todos')).toHaveLength(1);
    // A fresh host over the same storage (the next leader) also remembers it.
    const again = await db.ledger.lookup('same-id-123');
    expect(again).toBe(h1);
  });

  it('remembers mutation ids across a host restart on the same storage', async () => {
    const { conn, host, stores } = setup();
    unwrap(await conn.open(openReq));
    const x = intents((r) => r.insert('todos', { title: 'once', order: 1 }));
    const h1 = unwrap(await conn.mutate('app', 'restart-id-1', x));
    void host; // the old leader just dies: nothing is closed or flushed
    const host2 = new EngineHost({ openStorage: async (n) => stores.get(n)! });
    const conn2 = host2.connect(() => undefined);
    unwrap(await conn2.open(openReq));
    expect(unwrap(await conn2.mutate('app', 'restart-id-1', x, true))).toBe(h1);
    expect(unwrap(await conn2.query('app', query('todos').spec))).toHaveLength(1);
  });

  it('rejects bad input from a tab with typed errors and keeps working', async () => {
    const { conn } = setup();
    await expectError(conn.open({ ...openReq, name: '../x' }), 'E_INVALID_ARGUMENT');
    await expectError(conn.query('app', query('todos').spec), 'E_NOT_FOUND');
    unwrap(await conn.open(openReq));
    await expectError(conn.open({ ...openReq, schema: encodeSchema(defineSchema({ x: collection({}) })) }), 'E_SCHEMA');
    await expectError(conn.mutate('app', 'bad', []), 'E_INVALID_ARGUMENT');
    await expectError(conn.mutate('app', 'mutation-ok-1', 'nope' as never), 'E_INVALID_ARGUMENT');
    await expectError(conn.mutate('app', 'mutation-ok-1', []), 'E_INVALID_ARGUMENT');
    await expectError(
      conn.mutate('app', 'mutation-ok-1', [{ op: 'zap', c: 'todos', id: 'x' }] as never),
      'E_INVALID_ARGUMENT',
    );
    await expectError(
      conn.mutate(
        'app',
        'mutation-ok-2',
        intents((r) => r.insert('todos', { title: '', order: 1 })),
      ),
      'E_VALIDATION',
    );
    await expectError(
      conn.mutate(
        'app',
        'mutation-ok-3',
        intents((r) => r.insert('nope', { title: 'x' })),
      ),
      'E_SCHEMA',
    );
    await expectError(conn.query('app', { collection: 'todos' } as never), 'E_INVALID_ARGUMENT');
    await expectError(conn.subscribe('app', '', query('todos').spec), 'E_INVALID_ARGUMENT');
    const too = Array.from({ length: 10_001 }, () => ({ op: 'delete', c: 'todos', id: 'aaaaaaaaaaaaaaaaaaaaaa' }));
    await expectError(conn.mutate('app', 'mutation-ok-4', too as never), 'E_TOO_LARGE');
    // Nothing half-applied, and the host still works.
    expect(unwrap(await conn.query('app', query('todos').spec))).toEqual([]);
    unwrap(
      await conn.mutate(
        'app',
        'mutation-ok-5',
        intents((r) => r.insert('todos', { title: 'fine', order: 1 })),
      ),
    );
    expect(unwrap(await conn.query('app', query('todos').spec))).toHaveLength(1);
  });

  it('stops a connection’s live queries when it closes', async () => {
    const { conn, host, pushes } = setup();
    unwrap(await conn.open(openReq));
    unwrap(await conn.subscribe('app', 's1', query('todos').spec));
    conn.close();
    pushes.length = 0;
    const other = host.connect(() => undefined);
    unwrap(await other.open(openReq));
    unwrap(
      await other.mutate(
        'app',
        'after-close-1',
        intents((r) => r.insert('todos', { title: 'x', order: 1 })),
      ),
    );
    expect(pushes).toEqual([]);
    await expectError(conn.query('app', query('todos').spec), 'E_CLOSED');
  });
});
