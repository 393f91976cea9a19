/**
 * Presence through a real relay: forwarded between the connections of a database, never
 * stored; an update claiming another author is dropped; a newcomer hears the others at once;
 * a closed connection's hosts are announced gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  connectRelay,
  createReplica,
  generateIdentity,
  relaySyncUrl,
  type PresenceSession,
  type PresenceSink,
  type PresenceUpdate,
  type RelayLink,
  type Replica,
} from '@weft/engine';
import { memoryRelay, openWs } from './relay-test-kit.test-support.ts';
import type { Relay } from './relay-server.ts';

interface PresenceClient {
  readonly replica: Replica;
  readonly link: RelayLink;
  readonly got: PresenceUpdate[];
  session(): PresenceSession | undefined;
}

async function presenceClient(relay: Relay, db?: string): Promise<PresenceClient> {
  const identity = await generateIdentity();
  const replica =
    db === undefined
      ? await createReplica({ identity, create: { name: 'p' } })
      : await createReplica({ identity, db: db as Replica['dbId'] });
  const got: PresenceUpdate[] = [];
  let current: PresenceSession | undefined;
  const sink: PresenceSink = {
    attach: (s) => {
      current = s;
      return () => (current = current === s ? undefined : current);
    },
    receive: (u) => void got.push(u),
  };
  const link = connectRelay({
    replica,
    identity,
    url: relaySyncUrl(relay.url, replica.dbId),
    openSocket: openWs,
    minDelayMs: 50,
    sync: { presence: sink },
  });
  return { replica, link, got, session: () => current };
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

const update = (author: string, seq: number, user = 'Ada'): PresenceUpdate => ({
  author,
  hub: 'h',
  seq,
  entries: [{ tab: 't', user, color: '#112233', cursor: null }],
});

let relay: Relay | undefined;
afterEach(async () => {
  await relay?.close();
  relay = undefined;
});

describe('relay presence', () => {
  it('forwards presence between connections of a database, only from its own author, storing nothing', async () => {
    relay = await memoryRelay();
    const a = await presenceClient(relay);
    await until(() => a.session() !== undefined);
    const b = await presenceClient(relay, a.replica.dbId);
    await until(() => b.session() !== undefined);
    const changesBefore = a.replica.changes().length;

    a.session()!.sendPresence(update(a.replica.author, 1));
    a.session()!.sendPresence(update(b.replica.author, 2, 'impostor'));
    await until(() => b.got.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(b.got).toEqual([update(a.replica.author, 1)]);

    // A newcomer hears A's latest at once.
    const c = await presenceClient(relay, a.replica.dbId);
    await until(() => c.got.some((u) => u.author === a.replica.author));

    // A leaves: the others hear it gone.
    a.link.close();
    await until(() => b.got.some((u) => u.author === a.replica.author && u.entries.length === 0));
    expect(a.replica.changes().length).toBe(changesBefore);
    b.link.close();
    c.link.close();
  });
});
