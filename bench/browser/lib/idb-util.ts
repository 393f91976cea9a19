/** Helpers for browser bench pages: fresh database names, cleanup, medians. */

let counter = 0;

/** A database name no earlier run of this page used. */
export function freshName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${++counter}`;
}

/** Deletes an IndexedDB database (all connections must be closed). */
export function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.deleteDatabase(name);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error);
  });
}

/** Median of several timings. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
