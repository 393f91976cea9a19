/**
 * Rooms across relay processes on one PostgreSQL (storage/postgres-rooms.ts): two clients of one
 * database on two different `weft-relay` processes see each other in their peers lists, exchange
 * a signal and each other's presence; a SIGKILLed process's members vanish from the other's
 * lists within the expiry (a graceful stop empties them at once); a cut rooms LISTEN connection
 * comes back and re-announces; a signal too large for a NOTIFY closes its sender with 1009.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import {
  connectRelay,
  createReplica,
  generateIdentity,
  relaySyncUrl,
  type PresenceSession,
  type PresenceUpdate,
  type RelayLink,
  type Replica,
} from '@weft/engine';
import { openWs, until } from './relay-test-kit.test-support.ts';
import { startRelayProcess, type RelayProcess } from './relay-process.test-support.ts';
import { postgresSkipReason, startTestPostgres } from './storage/postgres-test-server.test-support.ts';

const skip = postgresSkipReason();
const server = skip === undefined ? await startTestPostgres() : undefined;
const dir = mkdtempSync(join(tmpdir(), 'weft-multi-relay-rooms-'));
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const running: { relays: RelayProcess[]; links: RelayLink[] } = { relays: [], links: [] };
afterEach(async () => {
  for (const l of running.links.splice(0)) l.close();
  for (const r of running.relays.splice(0)) await r.stop('SIGKILL');
});

let dirs = 0;
async function relay(url: string): Promise<RelayProcess> {
  const r = await startRelayProcess(join(dir, `relay-${++dirs}`), ['--postgres', url]);
  running.relays.push(r);
  return r;
}

interface RoomClient {
  readonly replica: Replica;
  readonly link: RelayLink;
  readonly signals: { from: string; data: unknown }[];
  readonly presence: PresenceUpdate[];
  readonly closes: string[];
  session(): PresenceSession | undefined;
}

async function roomClient(base: string, db?: string): Promise<RoomClient> {
  const identity = await generateIdentity();
  const replica =
    db === undefined
      ? await createReplica({ identity, create: { name: 'rooms' } })
      : await createReplica({ identity, db: db as Replica['dbId'] });
  const signals: RoomClient['signals'] = [];
  const presence: PresenceUpdate[] = [];
  const closes: string[] = [];
  let current: PresenceSession | undefined;
  const link = connectRelay({
    replica,
    identity,
    url: relaySyncUrl(base, replica.dbId),
    openSocket: openWs,
    minDelayMs: 50,
    onSignal: (from, data) => void signals.push({ from, data }),
    onStatus: (s) => void (s.error?.startsWith('closed') === true && closes.push(s.error)),
    sync: {
      presence: {
        attach: (s) => {
          current = s;
          return () => (current = current === s ? undefined : current);
        },
        receive: (u) => void presence.push(u),
      },
    },
  });
  running.links.push(link);
  return { replica, link, signals, presence, closes, session: () => current };
}

const here = (author: string): PresenceUpdate => ({
  author,
  hub: 'h',
  seq: 1,
  entries: [{ tab: 't', user: author.slice(0, 6), color: '#112233', cursor: null }],
});

describe.skipIf(skip !== undefined)('rooms across relay processes on one PostgreSQL', () => {
  it('peers, signals and presence cross processes; a killed process’s members expire', async () => {
    const url = await server!.createDatabase();
    const [one, two] = await Promise.all([relay(url), relay(url)]);
    const a = await roomClient(one.url);
    const b = await roomClient(two.url, a.replica.dbId);
    const [A, B] = [a.replica.author, b.replica.author];

    await until(() => a.link.status.peers.includes(B), 15_000, 'a (relay 1) to list b (relay 2)');
    await until(() => b.link.status.peers.includes(A), 15_000, 'b (relay 2) to list a (relay 1)');

    expect(a.link.signal(B, { sdp: 'offer from a' })).toBe(true);
    await until(() => b.signals.length > 0, 10_000, 'b to get a’s signal');
    expect(b.signals).toEqual([{ from: A, data: { sdp: 'offer from a' } }]);
    b.link.signal(A, { sdp: 'answer from b' });
    await until(() => a.signals.length > 0, 10_000, 'a to get b’s answer');
    expect(a.signals).toEqual([{ from: B, data: { sdp: 'answer from b' } }]);

    await until(() => a.session() !== undefined && b.session() !== undefined, 10_000, 'presence sessions');
    a.session()!.sendPresence(here(A));
    b.session()!.sendPresence(here(B));
    await until(() => b.presence.some((u) => u.author === A), 10_000, 'b to get a’s presence');
    await until(() => a.presence.some((u) => u.author === B), 10_000, 'a to get b’s presence');
    expect(b.presence.find((u) => u.author === A)).toEqual(here(A));

    // Relay 2 dies without a word: its members expire (3 × 5 s refresh) from relay 1's lists.
    const killedAt = performance.now();
    await two.stop('SIGKILL');
    await until(() => !a.link.status.peers.includes(B), 25_000, 'b to vanish from a’s peers');
    await until(
      () => a.presence.some((u) => u.author === B && u.entries.length === 0),
      5_000,
      'b’s presence to be announced gone',
    );
    const ms = performance.now() - killedAt;
    console.log(`members of a SIGKILLed relay vanished after ${(ms / 1000).toFixed(1)} s`);
    expect(ms).toBeLessThan(25_000);
  }, 60_000);

  it('re-announces after its rooms LISTEN connection is cut, and empties its rooms on a graceful stop', async () => {
    const url = await server!.createDatabase();
    const [one, two] = await Promise.all([relay(url), relay(url)]);
    const a = await roomClient(one.url);
    const b = await roomClient(two.url, a.replica.dbId);
    await until(() => a.link.status.peers.includes(b.replica.author), 15_000, 'a to list b');
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const cut = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'weft-rooms'`,
      );
      expect(cut.rowCount).toBe(2);
    } finally {
      await admin.end();
    }
    // Joins while the connections are down or coming back are announced once they are up.
    const c = await roomClient(two.url, a.replica.dbId);
    await until(() => a.link.status.peers.includes(c.replica.author), 15_000, 'a (relay 1) to list c (relay 2)');
    expect(a.link.status.peers).toContain(b.replica.author);
    a.link.signal(c.replica.author, 'after the cut');
    await until(() => c.signals.length > 0, 10_000, 'c to get a’s signal');

    // A graceful stop announces its rooms empty at once: no waiting for the expiry.
    const stoppedAt = performance.now();
    await two.stop('SIGTERM');
    await until(() => a.link.status.peers.length === 0, 4_000, 'b and c to leave a’s list at once');
    expect(performance.now() - stoppedAt).toBeLessThan(4_000);
  }, 40_000);

  it('closes the sender of a signal too large for one NOTIFY with 1009, and only it', async () => {
    const url = await server!.createDatabase();
    const [one, two] = await Promise.all([relay(url), relay(url)]);
    const a = await roomClient(one.url);
    const b = await roomClient(two.url, a.replica.dbId);
    await until(() => a.link.status.peers.includes(b.replica.author), 15_000, 'a to list b');
    a.link.signal(b.replica.author, { sdp: 'x'.repeat(10_000) });
    await until(() => a.closes.length > 0, 10_000, 'a to be closed');
    expect(a.closes[0]).toContain('1009');
    expect(b.signals).toEqual([]);
    expect(b.closes).toEqual([]);
  }, 30_000);
});
