/** A database's sync status and peers, as an observer outside any UI framework. */
import type { SyncStatus } from '../protocol/host-api.ts';

/** The status before the host has reported. */
export const INITIAL_STATUS: SyncStatus = Object.freeze({ state: 'local', changes: 0, pending: 0, peers: [] });

/** Holds the latest status pushed by the host. */
export class StatusObserver {
  private status: SyncStatus = INITIAL_STATUS;
  private readonly listeners = new Set<() => void>();

  getSnapshot = (): SyncStatus => this.status;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Called by the client on each status push. */
  update(status: SyncStatus): void {
    this.status = status;
    for (const l of [...this.listeners]) l();
  }
}
