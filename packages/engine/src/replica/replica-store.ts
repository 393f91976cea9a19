/**
 * How a replica lays its state out in the storage port, and how it reads it back.
 *
 *   changes   hash(32)                     → [wire, status, reason, order]
 *   chain     author(32) ‖ seq(u64 BE) ‖ hash(32) → (empty)   the author/seq index
 *   docs      utf8("collection/id")        → doc header (tombstones, alive)
 *             utf8("collection/id\0field") → one field's CRDT state
 *   meta      utf8(name)                   → canonical value (db id, heads, clock)
 *
 * Invariant: one ingest or mutation is one `write` batch (atomic), so storage always holds a
 * causally closed set of changes and the doc states derived from exactly that set.
 */
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { concatBytes, fromHex, fromUtf8, utf8 } from '../bytes.ts';
import { decodeDocHeader, decodeFieldState, encodeDocHeader, encodeFieldState } from '../crdt/doc-codec.ts';
import type { DocState, SequenceHooks } from '../crdt/doc-state.ts';
import type { WeftErrorCode } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { ChangeStatus, LogEntry } from '../log/change-log.ts';
import { prefixEnd, type StorageAdapter, type WriteOp } from '../storage/storage-port.ts';

/** Storage key of a change record. */
export function changeKey(hash: ChangeHash): Uint8Array {
  return fromHex(hash);
}

/** Storage key of a chain index entry. */
export function chainKey(author: string, seq: number, hash: string): Uint8Array {
  const seqBytes = new Uint8Array(8);
  new DataView(seqBytes.buffer).setUint32(0, Math.floor(seq / 0x100000000));
  new DataView(seqBytes.buffer).setUint32(4, seq >>> 0);
  return concatBytes(fromHex(author), seqBytes, fromHex(hash));
}

/** Storage key of a document's header ("collection/id"). */
export function docStorageKey(key: string): Uint8Array {
  return utf8(key);
}

/**
 * Storage key of one field of a document: the header key, a 0x00 byte, the field key. Doc ids
 * and names never contain 0x00, so a doc's fields sort right after its header and a prefix
 * range holds exactly them.
 */
export function fieldStorageKey(key: string, field: string): Uint8Array {
  const k = `${key}\u0000${field}`;
  let bytes = keyCache.get(k);
  if (bytes === undefined) {
    bytes = utf8(k);
    // Hot docs and fields repeat batch after batch; bound the cache so it can't grow without end.
    if (keyCache.size >= 50_000) keyCache.clear();
    keyCache.set(k, bytes);
  }
  return bytes;
}

const keyCache = new Map<string, Uint8Array>();

/** Writes that persist the touched parts of a document. */
export function putDocOps(
  key: string,
  doc: DocState,
  fields: Set<string> | 'all',
  seqHooks?: SequenceHooks,
): WriteOp[] {
  const ops: WriteOp[] = [{ type: 'put', store: 'docs', key: docStorageKey(key), value: encodeDocHeader(doc) }];
  if (fields === 'all') {
    const prefix = fieldStorageKey(key, '');
    ops.push({ type: 'deleteRange', store: 'docs', gte: prefix, lt: prefixEnd(prefix)! });
    for (const f in doc.f)
      ops.push({
        type: 'put',
        store: 'docs',
        key: fieldStorageKey(key, f),
        value: encodeFieldState(doc.f[f]!, seqHooks),
      });
  } else {
    for (const f of fields) {
      const state = doc.f[f];
      if (state !== undefined)
        ops.push({
          type: 'put',
          store: 'docs',
          key: fieldStorageKey(key, f),
          value: encodeFieldState(state, seqHooks),
        });
    }
  }
  return ops;
}

/** Reads every document back from the docs store (headers followed by their fields). */
export async function loadDocs(storage: StorageAdapter, seqHooks?: SequenceHooks): Promise<DocState[]> {
  const out: DocState[] = [];
  let current: DocState | undefined;
  for (const { key, value } of await storage.scan('docs')) {
    const sep = key.indexOf(0);
    if (sep < 0) {
      current = decodeDocHeader(value);
      out.push(current);
    } else if (current !== undefined) {
      current.f[fromUtf8(key.subarray(sep + 1))] = decodeFieldState(value, seqHooks);
    }
  }
  return out;
}

/** Storage key of a meta entry. */
export function metaKey(name: string): Uint8Array {
  return utf8(name);
}

const EMPTY = new Uint8Array(0);

/** Writes that store (or re-store with a new status) one log entry. */
export function putEntryOps(entry: LogEntry, withChain: boolean): WriteOp[] {
  const record = encode([entry.sc.bytes, entry.status, entry.reason, entry.order]);
  const ops: WriteOp[] = [{ type: 'put', store: 'changes', key: changeKey(entry.sc.hash), value: record }];
  if (withChain) {
    const c = entry.sc.change;
    ops.push({ type: 'put', store: 'chain', key: chainKey(c.author, c.seq, entry.sc.hash), value: EMPTY });
  }
  return ops;
}

/** A decoded change record. */
export interface StoredChange {
  readonly bytes: Uint8Array;
  readonly status: ChangeStatus;
  readonly reason: WeftErrorCode | null;
  readonly order: number;
}

/** Decodes a change record. */
export function decodeChangeRecord(value: Uint8Array): StoredChange {
  const [bytes, status, reason, order] = decode(value) as [Uint8Array, ChangeStatus, WeftErrorCode | null, number];
  return { bytes, status, reason, order };
}

/** A meta write. */
export function putMeta(name: string, value: CanonicalValue): WriteOp {
  return { type: 'put', store: 'meta', key: metaKey(name), value: encode(value) };
}
