/**
 * A tab's view of presence: everyone else in the database (other tabs of this browser and
 * other users), kept current by the host's pushes, and this tab's own presence, sent to the
 * host coalesced (at most one call in flight; the latest state wins).
 *
 * Invariants:
 *  1. The snapshot is a new array only when a push arrives, so `useSyncExternalStore` renders
 *     only on news.
 *  2. Own presence is never lost to a slow host and never sent out of order: while a call is in
 *     flight, later states overwrite one waiting slot.
 */
import type { PresenceInput, PresencePeer } from '../protocol/presence-types.ts';

/** What a {@link PresenceObserver} needs from the client. */
export interface PresenceHost {
  watchPresence(): Promise<void>;
  sendPresence(p: PresenceInput | null): Promise<void>;
}

/** Live presence of one database; `client.presence`. */
export class PresenceObserver {
  private peers: readonly PresencePeer[] = [];
  private readonly listeners = new Set<() => void>();
  private watching = false;
  private inFlight = false;
  private waiting: { p: PresenceInput | null } | undefined;

  constructor(private readonly host: PresenceHost) {}

  /** For `useSyncExternalStore`; the first subscriber starts the host's pushes. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (!this.watching) {
      this.watching = true;
      this.host.watchPresence().catch(() => (this.watching = false));
    }
    return () => this.listeners.delete(listener);
  };

  /** Everyone else present (invariant 1). */
  readonly getSnapshot = (): readonly PresencePeer[] => this.peers;

  /** Sets this tab's presence; null clears it (invariant 2). */
  set(p: PresenceInput | null): void {
    this.waiting = { p };
    if (!this.inFlight) this.drain();
  }

  /** @internal a push from the host. */
  update(peers: readonly PresencePeer[]): void {
    this.peers = peers;
    for (const l of this.listeners) l();
  }

  private drain(): void {
    const next = this.waiting;
    if (next === undefined) return;
    this.waiting = undefined;
    this.inFlight = true;
    const done = (): void => {
      this.inFlight = false;
      this.drain();
    };
    this.host.sendPresence(next.p).then(done, done);
  }
}
