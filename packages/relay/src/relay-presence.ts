/**
 * Presence through the relay: each connection's presence is forwarded to the other connections
 * of the same database, and never stored (presence is not in the log).
 *
 * Invariants:
 *  1. A connection may only speak for its own authenticated author; other updates are dropped.
 *  2. A newcomer is sent the latest update of every other connection of its database at once.
 *  3. When a connection closes, the others hear that its hosts left (an empty update).
 *  4. The session already capped size and rate and checked the shape (sync/presence.ts); the
 *     relay holds at most one update per host per connection.
 *  5. With other relay processes (relay-rooms.ts), every local update and departure also goes to
 *     `outbound`; theirs arrive through {@link RelayPresence.deliverRemote}, are kept per sending
 *     process for newcomers (invariant 2), and are announced gone when that process expires.
 */
import type { PresenceSession, PresenceSink, PresenceUpdate } from '@weft/engine';

/** The presence rooms of one relay. */
export class RelayPresence {
  private readonly rooms = new Map<string, Map<PresenceSession, Map<string, PresenceUpdate>>>();
  /** db → sending process → `author hub` → its latest update (invariant 5). */
  private readonly remote = new Map<string, Map<string, Map<string, PresenceUpdate>>>();

  /** `outbound`: where local updates go for the other relay processes (none: single process). */
  constructor(private readonly outbound?: (db: string, update: PresenceUpdate) => void) {}

  /** The sink for the session of one connection to database `db`. */
  sinkFor(db: string): PresenceSink {
    return {
      attach: (session) => {
        let room = this.rooms.get(db);
        if (room === undefined) this.rooms.set(db, (room = new Map()));
        for (const updates of room.values()) for (const u of updates.values()) session.sendPresence(u); // invariant 2
        for (const updates of this.remote.get(db)?.values() ?? [])
          for (const u of updates.values()) session.sendPresence(u);
        room.set(session, new Map());
        return () => this.leave(db, session);
      },
      receive: (update, session) => {
        if (update.author !== session.peer) return; // invariant 1
        const room = this.rooms.get(db);
        const mine = room?.get(session);
        if (room === undefined || mine === undefined) return;
        if (update.entries.length === 0) mine.delete(update.hub);
        else mine.set(update.hub, update);
        for (const other of room.keys()) if (other !== session) other.sendPresence(update);
        this.outbound?.(db, update);
      },
    };
  }

  /** An update from relay process `instance` for the sessions of `db` here (invariant 5). */
  deliverRemote(db: string, instance: string, update: PresenceUpdate): void {
    if (typeof update !== 'object' || update === null || !Array.isArray(update.entries)) return;
    let byInstance = this.remote.get(db);
    if (byInstance === undefined) this.remote.set(db, (byInstance = new Map()));
    let latest = byInstance.get(instance);
    if (latest === undefined) byInstance.set(instance, (latest = new Map()));
    const key = `${update.author} ${update.hub}`;
    if (update.entries.length === 0) latest.delete(key);
    else latest.set(key, update);
    for (const session of this.rooms.get(db)?.keys() ?? []) session.sendPresence(update);
  }

  /** Relay process `instance` expired: its hosts are announced gone here. */
  dropInstance(instance: string): void {
    for (const [db, byInstance] of this.remote) {
      for (const u of byInstance.get(instance)?.values() ?? []) {
        const gone: PresenceUpdate = { author: u.author, hub: u.hub, seq: u.seq + 1, entries: [] };
        for (const session of this.rooms.get(db)?.keys() ?? []) session.sendPresence(gone);
      }
      byInstance.delete(instance);
      if (byInstance.size === 0) this.remote.delete(db);
    }
  }

  /** Sessions holding presence now (status and tests). */
  get size(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.size;
    return n;
  }

  private leave(db: string, session: PresenceSession): void {
    const room = this.rooms.get(db);
    const mine = room?.get(session);
    if (room === undefined || mine === undefined) return;
    room.delete(session);
    if (room.size === 0) this.rooms.delete(db);
    // Invariant 3.
    for (const u of mine.values()) {
      const gone: PresenceUpdate = { author: u.author, hub: u.hub, seq: u.seq + 1, entries: [] };
      for (const other of room.keys()) other.sendPresence(gone);
      this.outbound?.(db, gone);
    }
  }
}
