/** Shared pieces of the relay tests: a relay on 127.0.0.1 with memory storage, and clients. */
import WebSocket from 'ws';
import {
  connectRelay,
  createMemoryStorage,
  createReplica,
  generateIdentity,
  relaySyncUrl,
  type Identity,
  type RelayLink,
  type Replica,
  type SocketLike,
  type StorageAdapter,
} from '@weft/engine';
import { startRelay, type Relay } from './relay-server.ts';
import type { RelayLimits } from './relay-options.ts';

/** A relay whose databases live in memory (kept across restarts through `stores`). */
export async function memoryRelay(
  limits: Partial<RelayLimits> = {},
  stores = new Map<string, StorageAdapter>(),
  port = 0,
): Promise<Relay & { stores: Map<string, StorageAdapter> }> {
  const relay = await startRelay({
    port,
    identity: await generateIdentity(),
    openStorage: async (db) => {
      let s = stores.get(db);
      if (s === undefined) stores.set(db, (s = createMemoryStorage()));
      // Closing the relay must not close the shared store: a restarted relay reopens it.
      return { ...s, name: s.name, close: async () => undefined } as StorageAdapter;
    },
    limits,
  });
  return Object.assign(relay, { stores });
}

/** A socket factory for connectRelay in Node. */
export const openWs = (url: string): SocketLike => new WebSocket(url) as unknown as SocketLike;

/** A client replica linked to the relay. */
export interface Client {
  readonly replica: Replica;
  readonly identity: Identity;
  readonly link: RelayLink;
}

export async function client(relay: Relay, db?: string, identity?: Identity): Promise<Client> {
  const id = identity ?? (await generateIdentity());
  const replica =
    db === undefined
      ? await createReplica({ identity: id, create: { name: 'relay-test' } })
      : await createReplica({ identity: id, db: db as Replica['dbId'] });
  const link = connectRelay({
    replica,
    identity: id,
    url: relaySyncUrl(relay.url, replica.dbId),
    openSocket: openWs,
    minDelayMs: 50,
  });
  return { replica, identity: id, link };
}

/** Polls `cond` until true or `ms` pass. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw socket to the relay: resolves with it and its first message (the challenge). */
export function rawSocket(
  relay: Relay,
  db: string,
): Promise<{ ws: WebSocket; challenge: string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(relaySyncUrl(relay.url, db));
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.once('message', (data) => resolve({ ws, challenge: String(data), closed }));
    ws.once('error', reject);
  });
}
