import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStorage,
  encodeSchema,
  query,
  collection,
  defineSchema,
  string,
  type StorageAdapter,
} from '@weft/engine';
import { EngineHost } from './engine-host.ts';
import { BusServer } from './bus-server.ts';
import { BusForwarder } from './bus-forwarder.ts';
import type { BusMessage } from './bus-protocol.ts';
import { IntentRecorder } from '../protocol/intents.ts';
import { unwrap, type Push, type Result } from '../protocol/host-api.ts';

const schema = defineSchema({ notes: collection({ title: string() }) });
const openReq = { name: 'app', schema: encodeSchema(schema), identity: null, db: null };
const TAB = 'weft-tab:follower-0001';

/** An in-process bus: delivers every message to every other member, asynchronously, in order. */
class FakeBus {
  private readonly members = new Set<(m: BusMessage) => void>();
  join(onMessage: (m: BusMessage) => void): BroadcastChannel & { leave(): void } {
    this.members.add(onMessage);
    const members = this.members;
    return {
      postMessage: (m: BusMessage) => {
        const copy = structuredClone(m);
        for (const other of [...members]) if (other !== onMessage) queueMicrotask(() => other(copy));
      },
      leave: () => members.delete(onMessage),
    } as unknown as BroadcastChannel & { leave(): void };
  }
}

function leader(bus: FakeBus, storage: StorageAdapter) {
  const host = new EngineHost({ openStorage: async () => storage });
  const ref: { server?: BusServer } = {};
  const ch = bus.join((m) => ref.server?.handle(m));
  ref.server = new BusServer(host, ch);
  return { host, ch };
}

describe('leader bus', () => {
  it('forwards calls, relays pushes, and replays session and unanswered calls to a new leader', async () => {
    const bus = new FakeBus();
    const storage = createMemoryStorage();
    const first = leader(bus, storage);
    const pushes: Push[] = [];
    const ref: { fwd?: BusForwarder } = {};
    const ch = bus.join((m) => ref.fwd?.handle(m));
    const fwd = (ref.fwd = new BusForwarder(TAB, ch, (p) => pushes.push(p)));
    const call = <T>(m: Parameters<BusForwarder['call']>[0], a: unknown[]) => fwd.call(m, a) as Promise<Result<T>>;

    unwrap(await call('open', [openReq]));
    unwrap(await call('subscribe', ['app', 's1', query('notes').spec]));
    const r1 = new IntentRecorder();
    r1.insert('notes', { title: 'one' }, 'note-one');
    unwrap(await call('mutate', ['app', 'mutation-0001', r1.intents]));
    await new Promise((r) => setTimeout(r, 10));
    expect(pushes.filter((p) => p.weft === 'diff').length).toBeGreaterThanOrEqual(2);

    // The leader dies; a call made meanwhile waits for the next one.
    first.ch.leave();
    const r2 = new IntentRecorder();
    r2.insert('notes', { title: 'two' }, 'note-two');
    const pending = call<string>('mutate', ['app', 'mutation-0002', r2.intents]);
    const second = leader(bus, storage);
    pushes.length = 0;
    second.ch.postMessage({ k: 'leader', id: 'leader' });
    unwrap(await pending);
    await new Promise((r) => setTimeout(r, 10));
    // The session was replayed: the live query is back (initial diff) and sees the new write.
    expect(pushes.some((p) => p.weft === 'diff')).toBe(true);
    const rows = unwrap(await call<{ title: string }[]>('query', ['app', query('notes').spec]));
    expect(rows.map((r) => r.title).sort()).toEqual(['one', 'two']);
  });

  it('answers malformed bus requests with typed errors', async () => {
    const bus = new FakeBus();
    const { ch: leaderCh } = leader(bus, createMemoryStorage());
    void leaderCh;
    const answers: BusMessage[] = [];
    const ch = bus.join((m) => answers.push(m));
    ch.postMessage({ k: 'req', from: TAB, rid: 1, m: 'close' as never, a: [] });
    ch.postMessage({ k: 'req', from: 'not-a-tab', rid: 2, m: 'query', a: [] });
    ch.postMessage({ k: 'req', from: TAB, rid: 3, m: 'query', a: 'x' as never });
    await new Promise((r) => setTimeout(r, 10));
    const codes = answers.flatMap((m) => (m.k === 'res' && !m.r.ok ? [m.r.error.code] : []));
    expect(codes).toEqual(['E_PROTOCOL', 'E_INVALID_ARGUMENT', 'E_PROTOCOL']);
  });
});

describe('WebRTC ports in the fallback', () => {
  it("a follower refuses a data channel's port (closing it); once it leads, its own host takes it", async () => {
    const bus = new FakeBus();
    const fwd = new BusForwarder(
      TAB,
      bus.join(() => undefined),
      () => undefined,
    );
    const { port1, port2 } = new MessageChannel();
    let closedSeen = false;
    port2.onmessage = () => undefined;
    port1.close = ((orig) => () => {
      closedSeen = true;
      orig.call(port1);
    })(port1.close);
    expect(fwd.leading).toBe(false);
    const refused = await fwd.attachPeerLocally('app', 'peer', port1);
    expect(refused.ok).toBe(false);
    expect(refused.ok ? '' : refused.error.code).toBe('E_INVALID_ARGUMENT');
    expect(closedSeen).toBe(true);
    port2.close();

    const calls: unknown[][] = [];
    const local = {
      attachPeer: async (...a: unknown[]): Promise<Result<null>> => (calls.push(a), { ok: true, value: null }),
    } as unknown as Parameters<BusForwarder['replay']>[0];
    fwd.replay(local);
    expect(fwd.leading).toBe(true);
    const channel = new MessageChannel();
    expect(await fwd.attachPeerLocally('app', 'peer', channel.port1)).toEqual({ ok: true, value: null });
    expect(calls).toEqual([['app', 'peer', channel.port1]]);
    channel.port1.close();
    channel.port2.close();
  });
});
