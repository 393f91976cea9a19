/**
 * How the effect log lies in the `meta` store:
 *
 *   meta  "ev"                      → epoch (string; see checkpoint.ts)
 *         "ev/" ‖ lastPos(u64 BE)   → canonical [firstPos, [[type, a, b], …]]   one committed batch
 *
 * A batch is keyed by its *last* position, so "every batch wholly before position p" is one
 * key range (`deleteRange` for retention) and "the batch holding position p" is the first key
 * ≥ p (a forward scan with limit 1). Keys sort by position because they are big-endian.
 */
import { decode, encode } from '../encoding/canonical.ts';
import { concatBytes, utf8 } from '../bytes.ts';
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { ChangeHash, CollectionName, DocId } from '../ids.ts';
import type { Effect } from '../replica/effects.ts';
import { prefixEnd, type WriteOp } from '../storage/storage-port.ts';

/** Meta key of the epoch. */
export const EPOCH_KEY = utf8('ev');
/** Prefix of every batch key. */
export const BATCH_PREFIX = utf8('ev/');
/** Exclusive end of the batch key range. */
export const BATCH_END = prefixEnd(BATCH_PREFIX)!;

/** One committed batch of the log. */
export interface LoggedBatch {
  /** Position of `effects[0]`; the batch holds positions first … first + effects.length - 1. */
  readonly first: number;
  readonly effects: readonly Effect[];
}

/** Key of a batch whose last effect is at `lastPos`. */
export function batchKey(lastPos: number): Uint8Array {
  const pos = new Uint8Array(8);
  const view = new DataView(pos.buffer);
  view.setUint32(0, Math.floor(lastPos / 0x100000000));
  view.setUint32(4, lastPos >>> 0);
  return concatBytes(BATCH_PREFIX, pos);
}

/** The last position a batch key names. */
export function batchKeyPosition(key: Uint8Array): number {
  if (key.length !== BATCH_PREFIX.length + 8) throw new WeftError('E_STORAGE', 'malformed event-log key');
  const view = new DataView(key.buffer, key.byteOffset + BATCH_PREFIX.length, 8);
  return view.getUint32(0) * 0x100000000 + view.getUint32(4);
}

function effectRow(e: Effect): [string, string, string] {
  switch (e.type) {
    case 'docCreated':
    case 'docUpdated':
    case 'docDeleted':
      return [e.type, e.collection, e.id];
    case 'changeRejected':
    case 'rolledBack':
      return [e.type, e.hash, e.code];
  }
}

function rowEffect(row: unknown): Effect {
  if (!Array.isArray(row) || row.length !== 3) throw new WeftError('E_STORAGE', 'malformed event-log entry');
  const [type, a, b] = row as [string, string, string];
  switch (type) {
    case 'docCreated':
    case 'docUpdated':
    case 'docDeleted':
      return { type, collection: a as CollectionName, id: b as DocId };
    case 'changeRejected':
    case 'rolledBack':
      return { type, hash: a as ChangeHash, code: b as WeftErrorCode };
    default:
      throw new WeftError('E_STORAGE', `unknown effect type in event log: ${type}`);
  }
}

/** The write that persists one batch of effects starting at position `first`. */
export function putBatch(first: number, effects: readonly Effect[]): WriteOp {
  const value = encode([first, effects.map(effectRow)]);
  return { type: 'put', store: 'meta', key: batchKey(first + effects.length - 1), value };
}

/** Decodes a stored batch. */
export function decodeBatch(value: Uint8Array): LoggedBatch {
  const raw = decode(value);
  if (!Array.isArray(raw) || raw.length !== 2 || typeof raw[0] !== 'number' || !Array.isArray(raw[1]))
    throw new WeftError('E_STORAGE', 'malformed event-log batch');
  return { first: raw[0], effects: raw[1].map(rowEffect) };
}

/** The write that drops every batch whose last position is below `position`. */
export function pruneBefore(position: number): WriteOp {
  return { type: 'deleteRange', store: 'meta', gte: BATCH_PREFIX, lt: batchKey(position) };
}
