/**
 * Cold start through the host: while a database with a persisted index loads, a subscription's
 * first screen comes from storage (replica-opening.ts), and the live query's initial diff
 * replaces it once the replica is ready.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  collection,
  createMemoryStorage,
  defineSchema,
  encodeSchema,
  number,
  query,
  string,
  type Row,
  type StorageAdapter,
} from '@weft/engine';
import { EngineHost } from './engine-host.ts';
import { IdentityStore } from './identity-store.ts';
import { unwrap, type Push } from '../protocol/host-api.ts';
import { IntentRecorder } from '../protocol/intents.ts';
import { applyDiff, decodeDiff } from '../protocol/diff-codec.ts';

const schema = defineSchema({
  todos: collection({ title: string(), order: number() }, { allow: {}, indexes: [{ fields: ['order'] }] }),
});
const openReq = { name: 'app', schema: encodeSchema(schema), identity: null, db: null };
const firstScreen = query('todos').where('order', '>=', 10).orderBy('order').limit(5).spec;

/** Storage whose change-log scan waits for `release`: the full open can't finish before it. */
function gated(inner: StorageAdapter): { storage: StorageAdapter; release: () => void; gate: { on: boolean } } {
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const gate = { on: false };
  return {
    gate,
    release,
    storage: {
      ...inner,
      async scan(store, options) {
        if (gate.on && store === 'changes') await released;
        return inner.scan(store, options);
      },
      async close() {},
    },
  };
}

async function seed(storage: StorageAdapter, identities: IdentityStore): Promise<string> {
  const host = new EngineHost({ identities, openStorage: async () => storage });
  const conn = host.connect(() => {});
  const { db } = unwrap(await conn.open(openReq));
  const r = new IntentRecorder();
  for (let i = 0; i < 30; i++)
    r.insert('todos', { title: `t${i}`, order: (i * 7) % 30 }, `todo${String(i).padStart(18, '0')}`);
  unwrap(await conn.mutate('app', 'mutation-seed', r.intents));
  await conn.close();
  return db;
}

/** Seeds a database, then reopens it in a new host with the change log gated and subscribes. */
async function reopenAndSubscribe() {
  const identities = new IdentityStore();
  const g = gated(createMemoryStorage());
  const db = await seed(g.storage, identities);
  g.gate.on = true;
  const host = new EngineHost({ identities, openStorage: async () => g.storage });
  const pushes: Push[] = [];
  const conn = host.connect((p) => pushes.push(p));
  const opened = conn.open({ ...openReq, db });
  const subscribed = conn.subscribe('app', 's1', firstScreen);
  return { g, pushes, conn, opened, subscribed };
}

describe('EngineHost first screen', () => {
  it('answers a subscription from storage while the replica loads, then goes live', async () => {
    const { g, pushes, conn, opened, subscribed } = await reopenAndSubscribe();
    let rows: Row[] = [];
    const drain = (): void => {
      for (const p of pushes.splice(0)) if (p.weft === 'diff') rows = applyDiff(rows, decodeDiff(p.bytes));
    };
    // The change log is still gated, yet the first screen arrives.
    for (let i = 0; i < 50 && !pushes.some((p) => p.weft === 'diff'); i++) await new Promise((r) => setTimeout(r, 5));
    drain();
    expect(rows.map((r) => r.order)).toEqual([10, 11, 12, 13, 14]);
    g.release();
    unwrap(await opened);
    unwrap(await subscribed);
    drain();
    expect(rows.map((r) => r.order)).toEqual([10, 11, 12, 13, 14]);
    // Live from here on.
    const r = new IntentRecorder();
    r.insert('todos', { title: 'new', order: 10.5 }, 'todo-new-000000000000');
    unwrap(await conn.mutate('app', 'mutation-live', r.intents));
    drain();
    expect(rows.map((x) => x.order)).toEqual([10, 10.5, 11, 12, 13]);
  });

  it('sends nothing from storage to a subscription cancelled while the database loads', async () => {
    const { g, pushes, conn, opened, subscribed } = await reopenAndSubscribe();
    unwrap(await conn.unsubscribe('s1'));
    g.release();
    unwrap(await opened);
    unwrap(await subscribed);
    await new Promise((r) => setTimeout(r, 20));
    expect(pushes.filter((p) => p.weft === 'diff')).toEqual([]);
    expect(conn.liveCount).toBe(0);
  });
});
