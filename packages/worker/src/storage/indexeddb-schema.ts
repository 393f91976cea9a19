/**
 * The IndexedDB schema of a Weft database, typed for `idb`, and how it is opened.
 *
 * One object store per storage-port store, out-of-line binary keys (IndexedDB orders
 * `ArrayBuffer` keys byte-wise, unsigned, shorter prefix first, exactly as the port requires) and
 * `Uint8Array` values. The author/seq index is the `chain` store (author ‖ seq ‖ hash keys), not
 * an IndexedDB index, so it is written in the same batch as the change it indexes.
 *
 * Two internal stores carry the write-behind journal (indexeddb-journal.ts): `journal` holds
 * whole batches by sequence number, `journal-applied` the position up to which they have been
 * copied into the port's stores.
 */
import { openDB, wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { STORES, WeftError, type StoreName } from '@weft/engine';

/** Every store maps binary keys to byte values. */
interface BytesStore {
  readonly key: ArrayBuffer;
  readonly value: Uint8Array;
}

/** The typed schema `idb` checks store names and value types against. */
export interface WeftIdbSchema extends DBSchema {
  changes: BytesStore;
  chain: BytesStore;
  docs: BytesStore;
  indexes: BytesStore;
  meta: BytesStore;
  snapshots: BytesStore;
  journal: { readonly key: number; readonly value: Uint8Array };
  'journal-applied': { readonly key: string; readonly value: Uint8Array };
}

/** The journal's stores. */
export const JOURNAL = 'journal';
export const JOURNAL_APPLIED = 'journal-applied';

/** Any object store of the database. */
export type WeftIdbStore = StoreName | typeof JOURNAL | typeof JOURNAL_APPLIED;

/** An open connection. */
export type WeftIdb = IDBPDatabase<WeftIdbSchema>;

/** Bumped whenever the set of object stores changes; `upgrade` creates what is missing. */
export const SCHEMA_VERSION = 2;

function upgrade(db: WeftIdb): void {
  for (const store of [...STORES, JOURNAL, JOURNAL_APPLIED] as const)
    if (!db.objectStoreNames.contains(store)) db.createObjectStore(store);
}

/**
 * Opens (creating or upgrading) database `name`; rejects with the raw IndexedDB error.
 * `openDB` always opens through the global `indexedDB`; an injected factory (fake-indexeddb in
 * unit tests, a factory from another realm) goes through idb's `wrap` with the same upgrade.
 */
export function openWeftIdb(name: string, factory?: IDBFactory): Promise<WeftIdb> {
  if (factory === undefined) return openDB<WeftIdbSchema>(name, SCHEMA_VERSION, { upgrade });
  const req = factory.open(name, SCHEMA_VERSION);
  req.addEventListener('upgradeneeded', () => upgrade(wrap(req.result) as unknown as WeftIdb));
  return wrap(req) as Promise<unknown> as Promise<WeftIdb>;
}

/**
 * The exact bytes of `bytes` as an ArrayBuffer key. Views are copied because IndexedDB
 * implementations disagree on whether a view key means the view or its whole buffer.
 */
export function toKey(bytes: Uint8Array): ArrayBuffer {
  const buf = bytes.buffer;
  if (buf instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buf.byteLength) return buf;
  return new Uint8Array(bytes).buffer;
}

/** A value to store: structured clone copies a view's whole buffer, so trim views first. */
export function toValue(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.constructor === Uint8Array
    ? bytes
    : new Uint8Array(bytes);
}

/** A stored value as bytes. */
export function fromValue(value: unknown): Uint8Array | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new WeftError('E_STORAGE', 'IndexedDB holds a value that is not bytes');
}

/** A stored binary key as bytes. */
export function fromKey(key: IDBValidKey): Uint8Array {
  if (key instanceof ArrayBuffer) return new Uint8Array(key);
  if (ArrayBuffer.isView(key)) return new Uint8Array(key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength));
  throw new WeftError('E_STORAGE', 'IndexedDB holds a key that is not bytes');
}
