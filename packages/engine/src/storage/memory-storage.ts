/**
 * In-memory {@link StorageAdapter}, for tests and the ingest benchmark.
 *
 * Writes sit on the engine's hot path, so a put is a Map insert keyed by the key's latin1
 * string (one UTF-16 code unit per byte, so JS string order is exactly byte order) plus an
 * insert into a small sorted buffer. Range reads walk the sorted index and the buffer together,
 * and the buffer is merged into the index only every few thousand new keys, so neither puts nor
 * range deletes ever cost O(store) each (a batch deleting many docs' ranges in a big store
 * used to re-sort or re-filter the index once per range). Deleted keys stay in the index as
 * tombstones that readers skip, until the next merge drops them.
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
  /** Every key in byte order as of the last merge; may hold keys deleted since (tombstones). */
  private sorted: string[] = [];
  /**
   * Keys inserted since the last merge, in insertion order until a read sorts them (`unsorted`):
   * a batch of puts costs O(1) each, and the sort runs once, when a range is read. May hold
   * tombstones and repeats (a key deleted and put again).
   */
  private pending: string[] = [];
  private unsorted = false;

  /** Stores `slot` under `k` and returns what it replaced. */
  set(k: string, slot: Slot): Slot | undefined {
    const prev = this.map.get(k);
    this.map.set(k, slot);
    if (prev === undefined) {
      this.pending.push(k);
      this.unsorted = true;
      // A bounded buffer keeps range reads cheap and merges O(store) only every MAX_PENDING keys.
      if (this.pending.length > MAX_PENDING) this.merge();
    } else this.bytes -= prev.key.length + prev.value.length;
    this.bytes += slot.key.length + slot.value.length;
    return prev;
  }

  /** Removes `k` and returns what was there (its index entry stays as a tombstone). */
  remove(k: string): Slot | undefined {
    const prev = this.map.get(k);
    if (prev === undefined) return undefined;
    this.map.delete(k);
    this.bytes -= prev.key.length + prev.value.length;
    return prev;
  }

  private sortPending(): void {
    if (!this.unsorted) return;
    // Default sort compares UTF-16 code units, which for latin1 keys is byte order.
    this.pending.sort();
    this.unsorted = false;
  }

  /** Folds the buffer into the index, dropping tombstones and duplicates on the way. */
  private merge(): void {
    this.sortPending();
    const old = this.sorted;
    const add = this.pending;
    const merged: string[] = [];
    let i = 0;
    let j = 0;
    const push = (k: string): void => {
      if (this.map.has(k) && merged[merged.length - 1] !== k) merged.push(k);
    };
    while (i < old.length && j < add.length) {
      if (old[i]! <= add[j]!) push(old[i++]!);
      else push(add[j++]!);
    }
    while (i < old.length) push(old[i++]!);
    while (j < add.length) push(add[j++]!);
    this.sorted = merged;
    this.pending = [];
  }

  /**
   * The live keys in `[gte, lt)` (open bounds allowed), in byte order or reversed: a merge of
   * the index and the buffer, skipping tombstones. Deleting while iterating is safe: removal
   * never reorders either array.
   */
  *range(gte: string | undefined, lt: string | undefined, reverse: boolean): Generator<string> {
    this.sortPending();
    const a = this.sorted;
    const b = this.pending;
    const aLo = gte === undefined ? 0 : lowerBound(a, gte);
    const aHi = lt === undefined ? a.length : Math.max(aLo, lowerBound(a, lt));
    const bLo = gte === undefined ? 0 : lowerBound(b, gte);
    const bHi = lt === undefined ? b.length : Math.max(bLo, lowerBound(b, lt));
    let i = reverse ? aHi - 1 : aLo;
    let j = reverse ? bHi - 1 : bLo;
    const step = reverse ? -1 : 1;
    const inA = (x: number): boolean => x >= aLo && x < aHi;
    const inB = (x: number): boolean => x >= bLo && x < bHi;
    let last: string | undefined;
    while (inA(i) || inB(j)) {
      let k: string;
      if (!inB(j) || (inA(i) && (reverse ? a[i]! >= b[j]! : a[i]! <= b[j]!))) {
        k = a[i]!;
        i += step;
      } else {
        k = b[j]!;
        j += step;
      }
      // A key deleted and put again sits in both arrays.
      if (k === last || !this.map.has(k)) continue;
      last = k;
      yield k;
    }
  }
}

/** Most keys the insert buffer holds before it is merged into the index. */
const MAX_PENDING = 2048;

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

  // No closure per op: this runs for every record of every batch.
  const apply = (op: WriteOp, undo: Undo[] | undefined): void => {
    const store = stores.get(op.store)!;
    if (op.type === 'put') {
      const k = keyString(op.key);
      const prev = store.set(k, { key: op.key.slice(), value: op.value.slice() });
      undo?.push({ store, k, prev });
    } else if (op.type === 'delete') {
      const k = keyString(op.key);
      const prev = store.remove(k);
      if (prev !== undefined) undo?.push({ store, k, prev });
    } else {
      for (const k of store.range(keyString(op.gte), keyString(op.lt), false)) {
        const prev = store.remove(k);
        undo?.push({ store, k, prev });
      }
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
      const max = limit ?? Infinity;
      const out: Entry[] = [];
      if (max === 0) return out;
      // A lazy walk: a `limit: 1` scan of a big store stays O(log n).
      for (const k of s.range(gte && keyString(gte), lt && keyString(lt), reverse)) {
        const slot = s.map.get(k)!;
        out.push({ key: slot.key.slice(), value: slot.value.slice() });
        if (out.length >= max) break;
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
