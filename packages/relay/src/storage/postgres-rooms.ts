/**
 * Rooms across relay processes sharing one PostgreSQL: peers lists, WebRTC signals and presence
 * travel between processes over LISTEN/NOTIFY on {@link ROOMS_CHANNEL}, a channel of their own
 * (the change fan-out has `weft_changes`). Nothing of it is stored: a room is live state only.
 *
 * Messages (JSON, one NOTIFY each, tagged with the sending process's instance id):
 *  - `members`: per database, the authors this process holds in its room, the whole list each
 *    time. Sent for one room on every join/leave; every room is re-sent each `refreshMs`, packed
 *    into as few NOTIFYs as fit (a process with thousands of rooms), and another process
 *    forgets an instance's members once they are `expiryMs` old, so a killed process's peers
 *    vanish from the others' lists within the expiry. `hello` (sent on start and after a
 *    reconnect) asks every process to re-announce at once.
 *  - `signal`: a control message for `author`, addressed to the instance that announced it.
 *  - `presence`: a presence update of a database, for every other process's connections.
 *
 * Invariants:
 *  1. A NOTIFY payload is at most {@link MAX_ROOM_PAYLOAD} bytes (PostgreSQL's limit is 8000).
 *     {@link PostgresRooms.publish} throws `E_TOO_LARGE` for a bigger message instead of
 *     chunking: WebRTC offers and presence updates are a few KiB; the caller refuses the sender.
 *     The same cap bounds one room's members on one process (~115 authors of 67 bytes); a
 *     bigger room is not announced (logged), its members are then invisible to the others.
 *  2. A process ignores its own messages (PostgreSQL delivers them to the sender too).
 *  3. The LISTEN connection is reopened with backoff when it fails, then `hello` is sent: members
 *     announced while it was down are re-announced rather than lost.
 */
import type pg from 'pg';
import { WeftError, type PresenceUpdate } from '@weft/engine';
import { PostgresListener } from './postgres-listener.ts';

/** The NOTIFY channel of room traffic. */
export const ROOMS_CHANNEL = 'weft_rooms';
/** Largest NOTIFY payload sent (bytes), under PostgreSQL's 8000 with room for framing. */
export const MAX_ROOM_PAYLOAD = 7_900;

/** What another process sent. */
export type RoomMessage =
  | { readonly k: 'hello'; readonly from: string }
  | { readonly k: 'members'; readonly from: string; readonly rooms: Readonly<Record<string, readonly string[]>> }
  | {
      readonly k: 'signal';
      readonly from: string;
      readonly to: string;
      readonly db: string;
      readonly author: string;
      readonly text: string;
    }
  | { readonly k: 'presence'; readonly from: string; readonly db: string; readonly update: PresenceUpdate };

/** What the relay does with room traffic from other processes. */
export interface RoomHandlers {
  /** The set of remote members of `db` changed: re-send peers lists. */
  membersChanged(db: string): void;
  /** Deliver `text` to the local connection of `author` in `db`. */
  signal(db: string, author: string, text: string): void;
  /** Forward presence to the local connections of `db`; `instance` sent it (expiry bookkeeping). */
  presence(db: string, instance: string, update: PresenceUpdate): void;
  /** Instance `instance` expired: its members and presence are gone. */
  instanceGone(instance: string): void;
}

/** Options for {@link PostgresRooms}. */
export interface PostgresRoomsOptions {
  readonly pool: pg.Pool;
  readonly listenClient: () => pg.Client;
  /** This process's instance id. */
  readonly instance: string;
  /** Re-announce interval (ms, default 5 000). */
  readonly refreshMs?: number;
  /** Members not refreshed for this long are dropped (ms, default 3 × refreshMs). */
  readonly expiryMs?: number;
  readonly warn?: (message: string) => void;
}

/** One process's side of the shared rooms. */
export class PostgresRooms {
  /** db → instance → its members and when they were last announced. */
  private readonly remote = new Map<string, Map<string, { authors: readonly string[]; at: number }>>();
  /** Local members per db, as last announced. */
  private readonly local = new Map<string, readonly string[]>();
  private readonly listener: PostgresListener;
  private closed = false;
  private readonly refreshTimer: ReturnType<typeof setInterval>;
  private readonly refreshMs: number;
  private readonly expiryMs: number;
  private readonly warn: (message: string) => void;
  private handlers: RoomHandlers | undefined;
  /** The NOTIFY in flight; the next waits for it. */
  private sending: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: PostgresRoomsOptions) {
    this.refreshMs = options.refreshMs ?? 5_000;
    this.expiryMs = options.expiryMs ?? 3 * this.refreshMs;
    this.warn = options.warn ?? ((m) => console.warn(`weft-relay: ${m}`));
    this.listener = new PostgresListener({
      channel: ROOMS_CHANNEL,
      client: options.listenClient,
      onNotification: (payload) => this.onMessage(payload),
      // Announcements sent while the connection was down were lost: say everything again.
      onConnected: () => {
        if (this.closed) return;
        this.send({ k: 'hello', from: this.options.instance });
        this.announceAll();
      },
      what: 'rooms LISTEN',
      warn: this.warn,
    });
    this.refreshTimer = setInterval(() => this.refresh(), this.refreshMs);
    this.refreshTimer.unref();
  }

  /** Opens the LISTEN connection and says hello; rejects if the first attempt fails. */
  async start(handlers: RoomHandlers): Promise<void> {
    this.handlers = handlers;
    await this.listener.start();
  }

  /** Authors of `db`'s room held by other processes. */
  remoteMembers(db: string): string[] {
    return [...(this.remote.get(db)?.values() ?? [])].flatMap((m) => m.authors);
  }

  /** The instance holding `author` in `db`'s room, if another process announced it. */
  holder(db: string, author: string): string | undefined {
    for (const [instance, m] of this.remote.get(db) ?? []) if (m.authors.includes(author)) return instance;
    return undefined;
  }

  /** Announces this process's members of `db` (empty: none left). */
  announce(db: string, authors: readonly string[]): void {
    if (this.closed) return; // close() announces every room empty itself
    if (authors.length === 0) this.local.delete(db);
    else this.local.set(db, authors);
    this.send({ k: 'members', from: this.options.instance, rooms: { [db]: authors } });
  }

  /** Sends a control message to `author`'s connection on process `to`. Throws `E_TOO_LARGE` (invariant 1). */
  signal(to: string, db: string, author: string, text: string): void {
    this.publish({ k: 'signal', from: this.options.instance, to, db, author, text });
  }

  /** Forwards a presence update of `db` to the other processes. Throws `E_TOO_LARGE` (invariant 1). */
  presence(db: string, update: PresenceUpdate): void {
    this.publish({ k: 'presence', from: this.options.instance, db, update });
  }

  /** Sends `message`; throws `E_TOO_LARGE` when it exceeds {@link MAX_ROOM_PAYLOAD}. */
  publish(message: RoomMessage): void {
    const payload = JSON.stringify(message);
    const bytes = Buffer.byteLength(payload);
    if (bytes > MAX_ROOM_PAYLOAD) {
      throw new WeftError(
        'E_TOO_LARGE',
        `a ${message.k} of ${bytes} bytes cannot cross relay processes (PostgreSQL NOTIFY carries at most ${MAX_ROOM_PAYLOAD})`,
      );
    }
    // Through the LISTEN connection when it is up: room traffic then never waits for a pooled
    // connection behind change writes (a storm of joins would queue behind the backlog). One
    // query at a time on it, in order (pg deprecates overlapping queries on one client).
    const sent = this.sending.then(() =>
      (this.listener.client ?? this.options.pool).query('SELECT pg_notify($1, $2)', [ROOMS_CHANNEL, payload]),
    );
    this.sending = sent.catch((err: unknown) => this.warn(`room ${message.k} not sent: ${String(err)}`));
  }

  private send(message: RoomMessage): void {
    try {
      this.publish(message);
    } catch (err) {
      this.warn(String(err));
    }
  }

  private onMessage(payload: string | undefined): void {
    let m: RoomMessage;
    try {
      m = JSON.parse(payload ?? '') as RoomMessage;
    } catch {
      return;
    }
    const h = this.handlers;
    if (h === undefined || typeof m !== 'object' || m === null || m.from === this.options.instance) return;
    if (m.k === 'hello') this.announceAll();
    else if (m.k === 'members' && typeof m.rooms === 'object' && m.rooms !== null) {
      for (const [db, list] of Object.entries(m.rooms)) {
        if (!Array.isArray(list)) continue;
        const authors = list.filter((a): a is string => typeof a === 'string');
        let room = this.remote.get(db);
        if (room === undefined) this.remote.set(db, (room = new Map()));
        const before = room.get(m.from)?.authors.join() ?? '';
        if (authors.length === 0) room.delete(m.from);
        else room.set(m.from, { authors, at: Date.now() });
        if (room.size === 0) this.remote.delete(db);
        if (before !== authors.join()) h.membersChanged(db);
      }
    } else if (m.k === 'signal' && m.to === this.options.instance) h.signal(m.db, m.author, m.text);
    else if (m.k === 'presence' && typeof m.db === 'string') h.presence(m.db, m.from, m.update);
  }

  /** Announces every local room, as few NOTIFYs as fit {@link MAX_ROOM_PAYLOAD}. */
  private announceAll(): void {
    let rooms: Record<string, readonly string[]> = {};
    let size = 0;
    const flush = (): void => {
      if (size > 0) this.send({ k: 'members', from: this.options.instance, rooms });
      rooms = {};
      size = 0;
    };
    for (const [db, authors] of this.local) {
      const entry = db.length + authors.length * 67 + 8;
      if (size + entry > MAX_ROOM_PAYLOAD - 200) flush();
      rooms[db] = authors;
      size += entry;
    }
    flush();
  }

  /** Re-announces local rooms and drops remote members past their expiry. */
  private refresh(): void {
    this.announceAll();
    const now = Date.now();
    const gone = new Set<string>();
    for (const [db, room] of this.remote) {
      for (const [instance, m] of room)
        if (now - m.at > this.expiryMs) {
          room.delete(instance);
          gone.add(instance);
          this.handlers?.membersChanged(db);
        }
      if (room.size === 0) this.remote.delete(db);
    }
    for (const instance of gone) this.handlers?.instanceGone(instance);
  }

  /** Stops refreshing, tells the others this process's rooms are empty, closes the LISTEN connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.refreshTimer);
    // At once, rather than letting the others wait for the expiry; packed like a refresh.
    for (const db of this.local.keys()) this.local.set(db, []);
    this.announceAll();
    this.local.clear();
    await this.sending;
    await this.listener.close();
  }
}
