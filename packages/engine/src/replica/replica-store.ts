/**
 * How a replica lays its state out in the storage port, and how it reads it back.
 *
 *   changes   hash(32)                     → [wire, status, reason, order]
 *   chain     author(32) ‖ seq(u64 BE) ‖ hash(32) → (empty)   the author/seq index
 *   docs      utf8("collection/id")        → doc CRDT state
 *   meta      utf8(name)                   → canonical value (db id, heads, clock)
 *
 * Invariant: one ingest or mutation is one `write` batch (atomic), so storage always holds a
 * causally closed set of changes and the doc states derived from exactly that set.
 */
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { concatBytes, fromHex, utf8 } from '../bytes.ts';
import type { WeftErrorCode } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { ChangeStatus, LogEntry } from '../log/change-log.ts';
import type { WriteOp } from '../storage/storage-port.ts';

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

/** Storage key of a document. */
export function docStorageKey(key: string): Uint8Array {
  return utf8(key);
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
