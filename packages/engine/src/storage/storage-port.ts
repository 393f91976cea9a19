/**
 * The storage port: an async key-value store of byte keys and byte values, split into named
 * stores, with ordered range scans and atomic batch writes. The engine owns this interface;
 * memory, IndexedDB, SQLite and PostgreSQL are adapters, each passing `runStorageAdapterTests`.
 *
 * Invariants:
 *  1. Keys order byte-wise (unsigned, shorter prefix first) in every adapter.
 *  2. `write` is atomic: after it resolves every op is durable; if it rejects, none is visible.
 *  3. A batch's ops apply in array order, so a later op on the same key wins.
 *  4. Errors are WeftErrors: `E_QUOTA` when the backend is full, `E_CLOSED` after `close()`,
 *     `E_INVALID_ARGUMENT` for a malformed call (see {@link validateWriteOps}), `E_STORAGE` for
 *     anything else.
 */

import { WeftError } from '../errors.ts';

/** The named stores every adapter provides. */
export const STORES = ['changes', 'chain', 'docs', 'indexes', 'meta', 'snapshots'] as const;
/** One of {@link STORES}. */
export type StoreName = (typeof STORES)[number];

/** A write in a batch. */
export type WriteOp =
  | { readonly type: 'put'; readonly store: StoreName; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly store: StoreName; readonly key: Uint8Array }
  | {
      readonly type: 'deleteRange';
      readonly store: StoreName;
      readonly gte: Uint8Array;
      readonly lt: Uint8Array;
    };

/** A range scan. Bounds are optional; `gte` inclusive, `lt` exclusive. */
export interface ScanOptions {
  readonly gte?: Uint8Array;
  readonly lt?: Uint8Array;
  readonly reverse?: boolean;
  readonly limit?: number;
}

/** One stored entry. */
export interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** Options for a batch write. */
export interface WriteOptions {
  /**
   * `strict` waits until the data is on disk (IndexedDB `durability: 'strict'`, SQLite
   * synchronous=FULL); use it for anything acknowledged to a peer. Defaults to `strict`.
   */
  readonly durability?: 'strict' | 'relaxed';
}

/** The storage port. */
export interface StorageAdapter {
  /** Adapter name, for diagnostics. */
  readonly name: string;
  /** Reads one value. */
  get(store: StoreName, key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Reads several values in one round trip; missing keys give `undefined`. */
  getMany(store: StoreName, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]>;
  /** Ordered range scan. */
  scan(store: StoreName, options?: ScanOptions): Promise<Entry[]>;
  /** Applies every op atomically. */
  write(ops: readonly WriteOp[], options?: WriteOptions): Promise<void>;
  /** Releases the backend; later calls reject with `E_CLOSED`. */
  close(): Promise<void>;
}

/**
 * Exclusive upper bound for a scan of every key starting with `prefix`; `undefined` when the
 * prefix is all 0xff bytes and the scan must run to the end of the store.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

const STORE_SET: ReadonlySet<string> = new Set(STORES);

/** True when `name` is one of {@link STORES}. */
export function isStoreName(name: unknown): name is StoreName {
  return typeof name === 'string' && STORE_SET.has(name);
}

/**
 * Throws `E_INVALID_ARGUMENT` unless `store` is a {@link StoreName}. Adapters call it on reads
 * so that a typo fails loudly the same way in every backend instead of reading nothing.
 */
export function checkStoreName(store: unknown): asserts store is StoreName {
  if (!isStoreName(store)) throw new WeftError('E_INVALID_ARGUMENT', `unknown store ${String(store)}`);
}

/** Throws `E_INVALID_ARGUMENT` unless `bytes` is a Uint8Array. */
export function checkBytes(bytes: unknown, what: string): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new WeftError('E_INVALID_ARGUMENT', `${what} must be a Uint8Array`);
}

/**
 * Validates a whole batch before anything is applied, throwing `E_INVALID_ARGUMENT` on the
 * first bad op. Every adapter calls it first, so a bad op anywhere in a batch writes nothing,
 * and callers see the same code whatever the backend.
 */
export function validateWriteOps(ops: readonly WriteOp[]): void {
  if (!Array.isArray(ops)) throw new WeftError('E_INVALID_ARGUMENT', 'ops must be an array');
  for (let i = 0; i < ops.length; i++) {
    const op: unknown = ops[i];
    if (typeof op !== 'object' || op === null) throw new WeftError('E_INVALID_ARGUMENT', `op ${i} is not an object`);
    const o = op as Record<string, unknown>;
    checkStoreName(o.store);
    switch (o.type) {
      case 'put':
        checkBytes(o.key, `op ${i} key`);
        checkBytes(o.value, `op ${i} value`);
        break;
      case 'delete':
        checkBytes(o.key, `op ${i} key`);
        break;
      case 'deleteRange':
        checkBytes(o.gte, `op ${i} gte`);
        checkBytes(o.lt, `op ${i} lt`);
        break;
      default:
        throw new WeftError('E_INVALID_ARGUMENT', `op ${i} has unknown type ${String(o.type)}`);
    }
  }
}

/** Throws `E_INVALID_ARGUMENT` unless the bounds are Uint8Arrays and `limit` a non-negative integer. */
export function checkScanOptions(options: ScanOptions | undefined): void {
  if (options === undefined) return;
  if (options.gte !== undefined) checkBytes(options.gte, 'scan gte');
  if (options.lt !== undefined) checkBytes(options.lt, 'scan lt');
  const limit = options.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new WeftError('E_INVALID_ARGUMENT', `scan limit must be a non-negative integer, got ${String(limit)}`);
  }
}
