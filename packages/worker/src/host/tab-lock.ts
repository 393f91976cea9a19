/**
 * Tab lifetimes through Web Locks. A tab holds `weft-tab:<id>` while it lives; the host asks
 * for the same lock, and the browser grants it only once the tab (or its worker) is gone. This
 * is the one reliable "connection closed" signal for MessagePorts and BroadcastChannel peers.
 */
import { WeftError } from '@weft/engine';

const LOCK = /^weft-tab:[A-Za-z0-9_-]{8,64}$/;

interface Locks {
  request(name: string, cb: () => Promise<unknown> | unknown): Promise<unknown>;
}

function locks(): Locks | undefined {
  return (globalThis.navigator as { locks?: Locks } | undefined)?.locks;
}

/** A fresh tab lock name. */
export function newTabLock(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `weft-tab:${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Checks a tab lock name from a tab. */
export function checkTabLock(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !LOCK.test(name))
    throw new WeftError('E_INVALID_ARGUMENT', 'malformed tab lock name');
}

/** Holds `name` until the tab dies; resolves once it is held. */
export function holdTabLock(name: string): Promise<void> {
  const l = locks();
  if (l === undefined) return Promise.resolve();
  return new Promise((held) => {
    void l.request(name, () => {
      held();
      return new Promise(() => undefined);
    });
  });
}

/** Calls `fn` once the holder of `name` is gone (never, where Web Locks are missing). */
export function whenTabGone(name: string, fn: () => void): void {
  void locks()?.request(name, () => fn());
}
