/**
 * The rooms of one relay: the authenticated connections of each database, their peers lists and
 * signal routing, and — with `--postgres` — the members other relay processes announce
 * (storage/postgres-rooms.ts), so clients of one database behind a plain load balancer see and
 * reach each other whichever process they landed on.
 *
 * Invariants:
 *  1. A peers list is this process's other connections of the database plus every author the
 *     other processes announced for it; it is re-sent to every local connection whenever either
 *     side changes.
 *  2. A signal goes to a local connection of its target when there is one, else to the process
 *     that announced the target. A signal too large for NOTIFY throws `E_TOO_LARGE`.
 *  3. Presence from a local session also goes to the other processes; theirs is delivered to
 *     the local sessions (relay-presence.ts keeps it, and drops it when its process expires).
 */
import type { PresenceUpdate } from '@weft/engine';
import type { RelayConnection } from './relay-connection.ts';
import { RelayPresence } from './relay-presence.ts';
import type { PostgresRooms } from './storage/postgres-rooms.ts';

/** Local rooms, optionally joined with other processes' through PostgreSQL. */
export class RelayRooms {
  /** db → its authenticated connections in this process. */
  readonly byDb = new Map<string, Set<RelayConnection>>();
  readonly presence: RelayPresence;

  constructor(private readonly shared?: PostgresRooms) {
    this.presence = new RelayPresence(shared === undefined ? undefined : (db, u) => this.sharePresence(db, u));
  }

  /** Starts listening to the other processes' room traffic (no-op without PostgreSQL). */
  async start(): Promise<void> {
    await this.shared?.start({
      membersChanged: (db) => this.broadcastPeers(db),
      signal: (db, author, text) => void this.localTarget(db, author)?.sendControl(text),
      presence: (db, instance, update) => this.presence.deliverRemote(db, instance, update),
      instanceGone: (instance) => this.presence.dropInstance(instance),
    });
  }

  /** Adds `conn` to its room; returns the other peers (invariant 1). */
  join(conn: RelayConnection): string[] {
    let room = this.byDb.get(conn.db);
    if (room === undefined) this.byDb.set(conn.db, (room = new Set()));
    room.add(conn);
    this.broadcastPeers(conn.db);
    this.shared?.announce(conn.db, this.localAuthors(conn.db));
    return this.peers(conn.db, conn);
  }

  /** Removes `conn` from its room. */
  leave(conn: RelayConnection): void {
    const room = this.byDb.get(conn.db);
    room?.delete(conn);
    if (room?.size === 0) this.byDb.delete(conn.db);
    else this.broadcastPeers(conn.db);
    this.shared?.announce(conn.db, this.localAuthors(conn.db));
  }

  /** Routes `message` to peer `to` of `db` (invariant 2); false when nobody holds it. */
  route(db: string, to: string, message: string): boolean {
    const target = this.localTarget(db, to);
    if (target !== undefined) {
      target.sendControl(message);
      return true;
    }
    const holder = this.shared?.holder(db, to);
    if (holder === undefined) return false;
    this.shared!.signal(holder, db, to, message);
    return true;
  }

  private localTarget(db: string, author: string): RelayConnection | undefined {
    return [...(this.byDb.get(db) ?? [])].find((c) => c.author === author);
  }

  private localAuthors(db: string): string[] {
    return [...(this.byDb.get(db) ?? [])].flatMap((c) => (c.author === undefined ? [] : [c.author]));
  }

  private peers(db: string, except?: RelayConnection): string[] {
    const local = [...(this.byDb.get(db) ?? [])].filter((c) => c !== except && c.author !== undefined);
    return [...local.map((c) => c.author!), ...(this.shared?.remoteMembers(db) ?? [])];
  }

  private broadcastPeers(db: string): void {
    for (const c of this.byDb.get(db) ?? []) c.sendControl(JSON.stringify({ t: 'peers', peers: this.peers(db, c) }));
  }

  private sharePresence(db: string, update: PresenceUpdate): void {
    try {
      this.shared?.presence(db, update);
    } catch (err) {
      // Presence is best effort: an update too large for NOTIFY stays on this process.
      console.warn(`weft-relay: ${String(err)}`);
    }
  }

  /** Stops the shared side: the other processes hear this one's rooms empty. */
  async close(): Promise<void> {
    await this.shared?.close();
  }
}
