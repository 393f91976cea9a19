/**
 * A hosted database's presence: what its tabs say about themselves, what peers say over every
 * sync session (WebRTC and the relay), and the merged view each tab is pushed, with cursors
 * resolved to indices of this host's versions of the text (host/text-sessions.ts).
 *
 * Invariants:
 *  1. Nothing here is written to the log or storage.
 *  2. A tab's cursor becomes anchors at once (from the index it gave in a version the host
 *     knows), so it stays on its characters while edits arrive, here and at every peer.
 *  3. Over a session whose peer is authenticated, only that peer's own presence is accepted;
 *     a relay checks the same before forwarding (relay-presence.ts), so no one speaks for
 *     another author.
 *  4. Peers' entries end when the session that brought them closes, when their host sends an
 *     empty update, or after {@link PRESENCE_TTL_MS} without news (hosts repeat themselves every
 *     {@link PRESENCE_HEARTBEAT_MS}).
 *  5. Outgoing updates are throttled to one per {@link PRESENCE_THROTTLE_MS}; tab pushes are
 *     coalesced the same way and re-sent when a watched text gets a new version.
 */
import {
  toBase64Url,
  PRESENCE_LIMITS,
  type Anchor,
  type PresenceEntry,
  type PresenceSession,
  type PresenceSink,
  type PresenceUpdate,
  type Replica,
} from '@weft/engine';
import type { Push } from '../protocol/host-api.ts';
import type { PresenceInput, PresencePeer } from '../protocol/presence-types.ts';
import type { TextSessions } from './text-sessions.ts';

export const PRESENCE_TTL_MS = 30_000;
export const PRESENCE_HEARTBEAT_MS = 10_000;
export const PRESENCE_THROTTLE_MS = 50;

type PushFn = (push: Push, transfer: Transferable[]) => void;

interface Remote {
  update: PresenceUpdate;
  session: PresenceSession;
  at: number;
}

/** Presence of one database on this host. */
export class PresenceHub implements PresenceSink {
  private readonly hub = toBase64Url(crypto.getRandomValues(new Uint8Array(9)));
  private seq = 0;
  private readonly local = new Map<PushFn, { tab: string; entry: PresenceEntry }>();
  private readonly remote = new Map<string, Remote>();
  private readonly sessions = new Set<PresenceSession>();
  private readonly watchers = new Set<PushFn>();
  private sendTimer: ReturnType<typeof setTimeout> | undefined;
  private pushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private nextTab = 0;

  constructor(
    private readonly name: string,
    private readonly replica: Replica,
    private readonly text: TextSessions,
  ) {
    this.heartbeat = setInterval(() => this.tick(), PRESENCE_HEARTBEAT_MS);
    text.onVersion(() => this.schedulePush());
  }

  /** Sets (or with null clears) the presence of the tab behind `push` (invariant 2). */
  set(push: PushFn, input: PresenceInput | null): void {
    if (input === null) {
      if (!this.local.delete(push)) return;
    } else {
      const tab = this.local.get(push)?.tab ?? `t${++this.nextTab}`;
      this.local.set(push, { tab, entry: { tab, user: input.user, color: input.color, cursor: this.anchors(input) } });
    }
    this.scheduleSend();
    this.schedulePush();
  }

  /** Starts pushes to `push`; the first comes at once. */
  watch(push: PushFn): void {
    this.watchers.add(push);
    this.pushTo(push);
  }

  /** A tab is gone: its presence and its pushes end. */
  drop(push: PushFn): void {
    this.watchers.delete(push);
    this.set(push, null);
  }

  attach(session: PresenceSession): () => void {
    this.sessions.add(session);
    session.sendPresence(this.update());
    return () => {
      this.sessions.delete(session);
      let changed = false;
      for (const [k, r] of this.remote)
        if (r.session === session) {
          this.remote.delete(k);
          changed = true;
        }
      if (changed) this.schedulePush();
    };
  }

  receive(update: PresenceUpdate, session: PresenceSession): void {
    if (session.peer !== null && update.author !== session.peer) return; // invariant 3
    if (update.author === this.replica.author && update.hub === this.hub) return;
    const key = `${update.author}/${update.hub}`;
    const known = this.remote.get(key);
    if (known !== undefined && known.update.seq > update.seq) return;
    if (update.entries.length === 0) this.remote.delete(key);
    else this.remote.set(key, { update, session, at: Date.now() });
    this.schedulePush();
  }

  /** Stops timers (the database closes). */
  dispose(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.sendTimer);
    clearTimeout(this.pushTimer);
  }

  private anchors(input: PresenceInput): PresenceEntry['cursor'] {
    const c = input.cursor;
    if (c === null) return null;
    const field = this.text.fieldOf(c.sub);
    if (field === undefined) return null;
    const anchor = this.text.mapIndex(c.sub, c.v, c.anchor);
    const head = this.text.mapIndex(c.sub, c.v, c.head);
    if (anchor === undefined || head === undefined) return null;
    try {
      const h = this.replica.editText(field.c, field.d, field.f);
      const len = h.length;
      return {
        ...field,
        anchor: h.anchor(Math.min(anchor, len), 'before'),
        head: h.anchor(Math.min(head, len), 'before'),
      };
    } catch {
      return null;
    }
  }

  private update(): PresenceUpdate {
    return {
      author: this.replica.author,
      hub: this.hub,
      seq: ++this.seq,
      // Peers refuse larger updates: past the cap, the newest tabs are simply not announced.
      entries: [...this.local.values()].slice(0, PRESENCE_LIMITS.maxEntries).map((l) => l.entry),
    };
  }

  private scheduleSend(): void {
    if (this.sendTimer !== undefined) return;
    this.sendTimer = setTimeout(() => {
      this.sendTimer = undefined;
      const u = this.update();
      for (const s of this.sessions) s.sendPresence(u);
    }, PRESENCE_THROTTLE_MS);
  }

  private schedulePush(): void {
    if (this.pushTimer !== undefined || this.watchers.size === 0) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      for (const w of this.watchers) this.pushTo(w);
    }, PRESENCE_THROTTLE_MS);
  }

  /** Heartbeat and expiry (invariant 4). */
  private tick(): void {
    const now = Date.now();
    let changed = false;
    for (const [k, r] of this.remote)
      if (now - r.at > PRESENCE_TTL_MS) {
        this.remote.delete(k);
        changed = true;
      }
    if (changed) this.schedulePush();
    if (this.local.size > 0) this.scheduleSend();
  }

  private resolve(entry: PresenceEntry): PresencePeer['cursor'] {
    const c = entry.cursor;
    if (c === null) return null;
    const v = this.text.version(c.c, c.d, c.f);
    if (v === undefined) return null; // no tab here shows that field
    try {
      const h = this.replica.editText(c.c, c.d, c.f);
      return { c: c.c, d: c.d, f: c.f, v, anchor: h.resolve(c.anchor as Anchor), head: h.resolve(c.head as Anchor) };
    } catch {
      return null; // names text this host has not received yet; the next push tries again
    }
  }

  private pushTo(push: PushFn): void {
    const peers: PresencePeer[] = [];
    for (const [p, l] of this.local)
      if (p !== push)
        peers.push({
          key: `${this.replica.author}/${this.hub}/${l.tab}`,
          author: this.replica.author,
          ...this.view(l.entry, true),
        });
    for (const r of this.remote.values())
      for (const e of r.update.entries)
        peers.push({
          key: `${r.update.author}/${r.update.hub}/${e.tab}`,
          author: r.update.author,
          ...this.view(e, false),
        });
    try {
      push({ weft: 'presence', name: this.name, peers }, []);
    } catch {
      this.watchers.delete(push);
    }
  }

  private view(e: PresenceEntry, local: boolean): Pick<PresencePeer, 'user' | 'color' | 'local' | 'cursor'> {
    return { user: e.user, color: e.color, local, cursor: this.resolve(e) };
  }
}
