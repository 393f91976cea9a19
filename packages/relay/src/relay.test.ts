import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  collection,
  createMemoryStorage,
  defineSchema,
  rules,
  signChange,
  string,
  type Change,
  answerChallenge,
  connectRelay,
  createReplica,
  relaySyncUrl,
  decode,
  encode,
  encodeMessage,
  generateIdentity,
  parseControl,
  type ChallengeMessage,
} from '@weft/engine';
import { client, memoryRelay, openWs, rawSocket, until, type Client } from './relay-test-kit.test-support.ts';
import { startRelay, type Relay } from './relay-server.ts';

const open: { relays: Relay[]; clients: Client[] } = { relays: [], clients: [] };
afterEach(async () => {
  for (const c of open.clients.splice(0)) c.link.close();
  for (const r of open.relays.splice(0)) await r.close();
});
async function relayOf(...args: Parameters<typeof memoryRelay>) {
  const r = await memoryRelay(...args);
  open.relays.push(r);
  return r;
}
async function clientOf(...args: Parameters<typeof client>) {
  const c = await client(...args);
  open.clients.push(c);
  return c;
}

describe('relay: sync through the persistent peer', () => {
  it('relays changes between two clients and keeps them for a third that comes later', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const b = await clientOf(relay, db);
    await a.replica.change((tx) => tx.insert('notes', { title: 'from a' }, 'note-a'));
    await until(() => b.replica.get('notes', 'note-a') !== undefined, 10_000, 'b to receive');
    await b.replica.change((tx) => tx.insert('notes', { title: 'from b' }, 'note-b'));
    await until(() => a.replica.get('notes', 'note-b') !== undefined, 10_000, 'a to receive');
    expect(a.link.status.state === 'synced' || a.link.status.state === 'syncing').toBe(true);
    a.link.close();
    b.link.close();
    // Nobody else online: c gets everything from the relay's own replica.
    const c = await clientOf(relay, db);
    await until(() => c.replica.stateHash() === a.replica.stateHash(), 10_000, 'c to converge');
    // The relay runs this schema-less database store-only: the same log, no document state.
    const stored = await relay.registry.get(db);
    expect(stored.heads()).toEqual(a.replica.heads());
    expect(stored.versionVector()).toEqual(a.replica.versionVector());
    expect(relay.status().changesIn).toBeGreaterThanOrEqual(3);
  });

  it('loses nothing across a relay restart, and clients reconnect on their own', async () => {
    const first = await memoryRelay();
    const a = await clientOf(first);
    const db = a.replica.dbId;
    const n1 = await a.replica.change((tx) => tx.insert('notes', { title: 'before' }, 'n1'));
    await until(async () => (await first.registry.get(db)).getChange(n1) !== undefined, 10_000, 'relay to store');
    const stores = first.stores;
    const port = first.port;
    await first.close();
    const n2 = await a.replica.change((tx) => tx.insert('notes', { title: 'while down' }, 'n2'));
    const second = await relayOf({}, stores, port);
    // a reconnects by itself (jittered backoff) and delivers what it wrote meanwhile.
    await until(async () => (await second.registry.get(db)).getChange(n2) !== undefined, 15_000, 'a to reconnect');
    const c = await clientOf(second, db);
    await until(() => c.replica.stateHash() === a.replica.stateHash(), 10_000, 'c to get everything');
  });
});

describe('relay: hostile clients', () => {
  it('closes a wrong signature (4001) and a replayed answer (4001); others keep syncing', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const b = await clientOf(relay, db);
    const id = await generateIdentity();
    // Capture an answer to one challenge...
    const first = await rawSocket(relay, db);
    const answer = await answerChallenge(id, db, parseControl(first.challenge) as ChallengeMessage);
    first.ws.send(JSON.stringify(answer));
    await until(() => first.ws.readyState === WebSocket.OPEN, 5_000);
    // ... and replay it on a new connection: the challenge is new, so it fails.
    const replay = await rawSocket(relay, db);
    replay.ws.send(JSON.stringify(answer));
    expect(await replay.closed).toBe(4001);
    const forged = await rawSocket(relay, db);
    forged.ws.send(JSON.stringify({ ...answer, sig: answer.sig.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }));
    expect(await forged.closed).toBe(4001);
    first.ws.close();
    await a.replica.change((tx) => tx.insert('notes', { title: 'still fine' }, 'ok'));
    await until(() => b.replica.get('notes', 'ok') !== undefined, 10_000, 'b to keep syncing');
    expect(relay.metrics.authFailures).toBeGreaterThanOrEqual(2);
  });

  it('closes garbage before auth, floods before auth, and oversized frames', async () => {
    const relay = await relayOf({ maxFrameBytes: 64 * 1024, preAuthBytes: 1024 });
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const garbage = await rawSocket(relay, db);
    garbage.ws.send(new Uint8Array([0xff, 0x00, 0x13]));
    expect(await garbage.closed).toBe(1008);
    const flood = await rawSocket(relay, db);
    for (let i = 0; i < 50; i++) flood.ws.send('x'.repeat(100));
    expect(await flood.closed).toBe(1008);
    const notJson = await rawSocket(relay, db);
    notJson.ws.send('{nope');
    expect(await notJson.closed).toBe(1008);
    const big = await rawSocket(relay, db);
    big.ws.send(new Uint8Array(200 * 1024));
    expect(await big.closed).toBe(1009);
    // The honest client is untouched.
    const b = await clientOf(relay, db);
    await a.replica.change((tx) => tx.insert('notes', { title: 'x' }, 'x1'));
    await until(() => b.replica.get('notes', 'x1') !== undefined, 10_000, 'b to sync');
  });

  it('refuses a forged change over the socket and over HTTP, storing nothing of it', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const hash = await a.replica.change((tx) => tx.insert('notes', { title: 'real' }, 'real'));
    await until(async () => (await relay.registry.get(db)).getChange(hash) !== undefined, 10_000, 'relay to store');
    const other = await clientOf(relay, db);
    await until(() => other.replica.getChange(hash) !== undefined);
    // A second genuine change, made offline and forged in transit: one byte of its body flipped.
    a.link.close();
    const h2 = await a.replica.change((tx) => tx.insert('notes', { title: 'second' }, 'second'));
    const bytes = a.replica.getChange(h2)!.sc.bytes.slice();
    bytes[bytes.length - 70]! ^= 1;
    const res = await fetch(`${relay.url}/v1/db/${db}/changes`, { method: 'POST', body: encode([bytes]) });
    const results = (await res.json()) as { status: string; code: string | null }[];
    expect(results[0]!.status).not.toBe('applied');
    const sock = await rawSocket(relay, db);
    const id = await generateIdentity();
    sock.ws.send(JSON.stringify(await answerChallenge(id, db, parseControl(sock.challenge) as ChallengeMessage)));
    await until(() => sock.ws.readyState === WebSocket.OPEN);
    sock.ws.send(encodeMessage({ t: 'changes', round: 0, batch: [bytes], done: true }));
    await new Promise((r) => setTimeout(r, 300));
    const stored = await relay.registry.get(db);
    expect(stored.getChange(h2)).toBeUndefined();
    expect(stored.getChange(hash)?.status).toBe('applied');
    expect(stored.heads()).toEqual([hash]);
    sock.ws.close();
  });

  it('closes connections over capacity with 1013', async () => {
    const relay = await relayOf({ maxConnections: 1 });
    const a = await clientOf(relay);
    await until(() => a.link.status.state !== 'connecting');
    const extra = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${relay.url.replace('http', 'ws')}/v1/db/${a.replica.dbId}/sync`);
      ws.on('close', (code) => resolve(code));
      ws.on('error', () => undefined);
    });
    expect(extra).toBe(1013);
    expect(relay.metrics.closedOverCapacity).toBe(1);
  });
});

describe('relay: HTTP', () => {
  it('serves healthz, metrics, the status page, SSE, and pull/push of changes', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const p = await a.replica.change((tx) => tx.insert('notes', { title: 'pull me' }, 'p'));
    await until(async () => (await relay.registry.get(db)).getChange(p) !== undefined);
    expect(await (await fetch(`${relay.url}/healthz`)).text()).toBe('ok\n');
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/^weft_relay_connections 1$/m);
    expect(metrics).toMatch(new RegExp(`^weft_relay_changes_stored ${a.replica.changes().length}$`, 'm'));
    expect(metrics).toMatch(/^# TYPE weft_relay_changes_in_total counter$/m);
    expect(await (await fetch(`${relay.url}/`)).text()).toContain('EventSource');
    const sse = await fetch(`${relay.url}/events`);
    const reader = sse.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^data: \{.*"connections":1/);
    await reader.cancel();

    const pulled = await fetch(`${relay.url}/v1/db/${db}/changes?since=${encodeURIComponent('{}')}`);
    const changes = decode(new Uint8Array(await pulled.arrayBuffer())) as Uint8Array[];
    expect(changes.length).toBe(a.replica.changes().length);
    const vv = JSON.stringify(a.replica.versionVector());
    const none = decode(
      new Uint8Array(
        await (await fetch(`${relay.url}/v1/db/${db}/changes?since=${encodeURIComponent(vv)}`)).arrayBuffer(),
      ),
    );
    expect(none).toEqual([]);
    // Push: a fresh replica's change posted over HTTP is stored and then served to others.
    const bad = await fetch(`${relay.url}/v1/db/${db}/changes?since=nope`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string }).code).toBe('E_INVALID_ARGUMENT');
    const junk = await fetch(`${relay.url}/v1/db/${db}/changes`, { method: 'POST', body: new Uint8Array([1, 2, 3]) });
    expect(junk.status).toBe(400);
    expect((await fetch(`${relay.url}/v1/db/zz/changes`)).status).toBe(400);
    const summary = (await (await fetch(`${relay.url}/v1/db/${db}`)).json()) as { changes: number; heads: string[] };
    expect(summary.changes).toBe(a.replica.changes().length);
    expect(summary.heads).toEqual(a.replica.heads());
  });
});

describe('relay link: offline and back', () => {
  it('pauses on offline (nothing sent) and delivers everything on resume', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    await until(async () => (await relay.registry.get(db)).changes().length === 1, 10_000, 'genesis at relay');
    a.link.pause();
    for (let i = 0; i < 20; i++) await a.replica.change((tx) => tx.insert('notes', { i }, `n${i}`));
    await new Promise((r) => setTimeout(r, 300));
    expect((await relay.registry.get(db)).changes().length).toBe(1);
    expect(a.link.status.error).toBe('offline');
    a.link.resume();
    await until(async () => (await relay.registry.get(db)).changes().length === 21, 10_000, 'changes after resume');
    await until(() => a.link.status.pending === 0, 10_000, 'pending to drain');
  });
});

describe('relay: signaling', () => {
  it('routes signals between authenticated peers of a room, stamped with the sender', async () => {
    const relay = await relayOf();
    const a = await clientOf(relay);
    const db = a.replica.dbId;
    const idB = await generateIdentity();
    const replicaB = await createReplica({ identity: idB, db });
    const got: [string, unknown][] = [];
    const linkB = connectRelay({
      replica: replicaB,
      identity: idB,
      url: relaySyncUrl(relay.url, db),
      openSocket: openWs,
      onSignal: (from, data) => got.push([from, data]),
    });
    open.clients.push({ replica: replicaB, identity: idB, link: linkB });
    await until(() => a.link.status.peers.includes(idB.author), 10_000, 'room peers');
    expect(a.link.signal(idB.author, { type: 'offer', sdp: 'x' })).toBe(true);
    await until(() => got.length === 1, 10_000, 'the signal');
    expect(got[0]).toEqual([a.identity.author, { type: 'offer', sdp: 'x' }]);
  });
});

describe('relay: with the app schema', () => {
  it('enforces permission rules on what it stores', async () => {
    const schema = defineSchema({
      lists: collection({ title: string(), owner: string() }, { allow: { write: rules.isOwner('owner') } }),
    });
    const relay = await startRelay({
      port: 0,
      identity: await generateIdentity(),
      openStorage: async () => createMemoryStorage(),
      schema,
    });
    open.relays.push(relay);
    const ownerId = await generateIdentity();
    const owner = await createReplica({ identity: ownerId, create: { name: 's' }, schema });
    await owner.change((tx) => void tx.insert('lists', { title: 'mine', owner: ownerId.author }, 'l1'));
    const post = async (bytes: Uint8Array[]) =>
      (await (
        await fetch(`${relay.url}/v1/db/${owner.dbId}/changes`, { method: 'POST', body: encode(bytes) })
      ).json()) as {
        status: string;
        code: string | null;
      }[];
    const ok = await post(owner.changes().map((e) => e.sc.bytes));
    expect(ok.every((r) => r.status === 'applied')).toBe(true);
    // Another key, with the right schema hash, renames the owner's list: the rules say no.
    const thief = await generateIdentity();
    const forged = await signChange(thief, {
      v: 1,
      db: owner.dbId,
      author: thief.author,
      seq: 1,
      deps: owner.heads(),
      hlc: { ms: Date.now(), c: 0 },
      schema: schema.hash,
      ops: [{ k: 'set', c: 'lists', d: 'l1', p: ['title'], v: 'stolen' }],
    } as unknown as Change);
    const [r] = await post([forged.bytes]);
    expect(r).toMatchObject({ status: 'rejected', code: 'E_PERMISSION' });
    expect((await relay.registry.get(owner.dbId)).get('lists', 'l1')).toMatchObject({ title: 'mine' });
  });
});
