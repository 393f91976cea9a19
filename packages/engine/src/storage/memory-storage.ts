/**
 * In-memory {@link StorageAdapter}, for tests and the ingest benchmark.
 *
 * Writes sit on the engine's hot path, so a put is a Map insert keyed by the key's latin1
 * string (one UTF-16 code unit per byte, so JS string order is exactly byte order) plus an
 * append to a pending list. The sorted key index that scans need is brought up to date lazily:
 * pending keys are sorted and merged in, never the whole store re-sorted on every batch.
 */
import { WeftError } from '../errors.ts';
import {
  STORES,
  checkBytes,
  checkScanOptions,
  checkStoreName,
  validateWriteOps,
  type Entry,
  type ScanOptions,
  type StorageAdapter,
  type StoreName,
  type WriteOp,
  type WriteOptions,
} from './storage-port.ts';

/** Options for {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  /**
   * Fault injection: the most key + value bytes the adapter holds. A batch that would end above
   * it rejects with `E_QUOTA` and writes nothing, like a browser whose origin is out of quota.
   */
  readonly quotaBytes?: number;
}

interface Slot {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Latin1 string of `bytes`; chunked because `apply` has an argument-count limit. */
function keyString(bytes: Uint8Array): string {
  const CHUNK = 4096;
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}

/** First index `i` with `keys[i] >= k`. */
function lowerBound(keys: readonly string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

class MemoryStore {
  readonly map = new Map<string, Slot>();
  bytes = 0;
  /** Sorted as of the last {@link sortedKeys}; may still hold keys deleted since. */
  private sorted: string[] = [];
  /** Keys inserted since the last {@link sortedKeys}; may repeat or have been deleted again. */
  private added: string[] = [];
  private removed = false;

  /** Stores `slot` under `k` and returns what it replaced. */
  set(k: string, slot: Slot): Slot | undefined {
    const prev = this.map.get(k);
    this.map.set(k, slot);
    if (prev === undefined) this.added.push(k);
    else this.bytes -= prev.key.length + prev.value.length;
    this.bytes += slot.key.length + slot.value.length;
    return prev;
  }

  /** Removes `k` and returns what was there. */
  remove(k: string): Slot | undefined {
    const prev = this.map.get(k);
    if (prev === undefined) return undefined;
    this.map.delete(k);
    this.bytes -= prev.key.length + prev.value.length;
    this.removed = true;
    return prev;
  }

  /** Every live key in byte order. */
  sortedKeys(): readonly string[] {
    if (this.removed) {
      this.sorted = this.sorted.filter((k) => this.map.has(k));
      this.removed = false;
    }
    if (this.added.length > 0) {
      // Default sort compares UTF-16 code units, which for latin1 strings is byte order.
      const added = this.added.filter((k) => this.map.has(k)).sort();
      this.added = [];
      const old = this.sorted;
      const merged: string[] = [];
      let i = 0;
      let j = 0;
      // Duplicates arise when a key is deleted and re-put between index refreshes.
      const push = (k: string): void => {
        if (merged.length === 0 || merged[merged.length - 1] !== k) merged.push(k);
      };
      while (i < old.length && j < added.length) {
        if (old[i]! <= added[j]!) push(old[i++]!);
        else push(added[j++]!);
      }
      while (i < old.length) push(old[i++]!);
      while (j < added.length) push(added[j++]!);
      this.sorted = merged;
    }
    return this.sorted;
  }

  /** Index bounds `[lo, hi)` of the keys in `[gte, lt)` within {@link sortedKeys}; open bounds allowed. */
  bounds(gte: string | undefined, lt: string | undefined): [keys: readonly string[], lo: number, hi: number] {
    const keys = this.sortedKeys();
    const lo = gte === undefined ? 0 : lowerBound(keys, gte);
    const hi = lt === undefined ? keys.length : lowerBound(keys, lt);
    return [keys, lo, Math.max(lo, hi)];
  }
}

interface Undo {
  readonly store: MemoryStore;
  readonly k: string;
  readonly prev: Slot | undefined;
}

/**
 * Creates an empty in-memory adapter. Values are copied on the way in and out, so callers can
 * never alias stored bytes.
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageAdapter {
  const quota = options.quotaBytes;
  const stores = new Map<StoreName, MemoryStore>(STORES.map((s) => [s, new MemoryStore()]));
  let closed = false;

  const open = (store: StoreName): MemoryStore => {
    if (closed) throw new WeftError('E_CLOSED', 'memory storage is closed');
    checkStoreName(store);
    return stores.get(store)!;
  };
  const used = (): number => {
    let n = 0;
    for (const s of stores.values()) n += s.bytes;
    return n;
  };

  const apply = (op: WriteOp, undo: Undo[] | undefined): void => {
    const store = stores.get(op.store)!;
    const record = (k: string, prev: Slot | undefined): void => {
      undo?.push({ store, k, prev });
    };
    if (op.type === 'put') {
      const k = keyString(op.key);
      record(k, store.set(k, { key: op.key.slice(), value: op.value.slice() }));
    } else if (op.type === 'delete') {
      const k = keyString(op.key);
      const prev = store.remove(k);
      if (prev !== undefined) record(k, prev);
    } else {
      const [keys, lo, hi] = store.bounds(keyString(op.gte), keyString(op.lt));
      // Copy first: removing marks the index stale, and the next refresh replaces `keys`.
      for (const k of keys.slice(lo, hi)) record(k, store.remove(k));
    }
  };

  return {
    name: 'memory',

    async get(store, key) {
      const s = open(store);
      checkBytes(key, 'key');
      return s.map.get(keyString(key))?.value.slice();
    },

    async getMany(store, keys) {
      const s = open(store);
      keys.forEach((k, i) => checkBytes(k, `key ${i}`));
      return keys.map((k) => s.map.get(keyString(k))?.value.slice());
    },

    async scan(store, scanOptions: ScanOptions = {}) {
      const s = open(store);
      checkScanOptions(scanOptions);
      const { gte, lt, reverse = false, limit } = scanOptions;
      const [keys, lo, hi] = s.bounds(gte && keyString(gte), lt && keyString(lt));
      const n = Math.min(hi - lo, limit ?? Infinity);
      const out: Entry[] = new Array<Entry>(n);
      // Walk indices rather than slicing: a `limit: 1` scan of a big store stays O(log n).
      for (let i = 0; i < n; i++) {
        const slot = s.map.get(keys[reverse ? hi - 1 - i : lo + i]!)!;
        out[i] = { key: slot.key.slice(), value: slot.value.slice() };
      }
      return out;
    },

    async write(ops, _writeOptions?: WriteOptions) {
      if (closed) throw new WeftError('E_CLOSED', 'memory storage is closed');
      validateWriteOps(ops);
      // The undo log costs an allocation per op, so only pay for it when a quota can fail.
      const undo: Undo[] | undefined = quota === undefined ? undefined : [];
      for (const op of ops) apply(op, undo);
      if (undo !== undefined && quota !== undefined && used() > quota) {
        for (let i = undo.length - 1; i >= 0; i--) {
          const { store, k, prev } = undo[i]!;
          if (prev === undefined) store.remove(k);
          else store.set(k, prev);
        }
        throw new WeftError('E_QUOTA', `batch would exceed the ${quota}-byte quota`, { quotaBytes: quota });
      }
    },

    async close() {
      closed = true;
      for (const s of stores.values()) s.map.clear();
    },
  };
}
