/**
 * How a replica lays its state out in the storage port, and how it reads it back.
 *
 *   changes   hash(32)                     → [wire, status, reason, order]
 *   chain     author(32) ‖ seq(u64 BE) ‖ hash(32) → (empty)   the author/seq index
 *   docs      utf8("collection/id")        → doc header (tombstones, alive)
 *             utf8("collection/id\0field") → one field's CRDT state (for a text/list field: its
 *                                            last full snapshot)
 *             utf8("collection/id\0field") ‖ 0x00 ‖ n(u32 BE) → a text/list field's op log entry n
 *   meta      utf8(name)                   → canonical value (db id, heads, clock)
 *
 * Invariant: one ingest or mutation is one `write` batch (atomic), so storage always holds a
 * causally closed set of changes and the doc states derived from exactly that set.
 *
 * Sequence fields are persisted incrementally, because re-encoding a whole text on every edit
 * burst costs O(document) per burst: a batch appends the sequence ops it applied to a field as
 * one log entry after the field's snapshot, and writes a fresh snapshot (deleting the log) only
 * when the log has grown past the snapshot's size (and at least {@link SEQ_LOG_MIN_BYTES}). So
 * the bytes written per op stay O(1) amortized (at most about twice the op bytes plus the final
 * snapshot), and a cold start decodes the snapshot and re-applies at most about one snapshot's
 * worth of logged ops, read in the same scan. Replaying the log gives exactly the live state: the
 * entries hold the ops in the order they were applied, with their agents and first element ids.
 * A doc rewritten whole (`fields === 'all'`: a delete, a rebuild, a bootstrap) drops its logs.
 * A field whose live state holds unsigned local edits is never snapshotted (its log just grows,
 * and a new field starts from an empty snapshot plus its log), so storage never holds them.
 */
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import { concatBytes, fromHex, fromUtf8, utf8 } from '../bytes.ts';
import { decodeDocHeader, decodeFieldState, encodeDocHeader, encodeFieldState } from '../crdt/doc-codec.ts';
import type { DocState, FieldState, SeqField, SequenceHooks } from '../crdt/doc-state.ts';
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { ChangeStatus, LogEntry } from '../log/change-log.ts';
import { prefixEnd, type ScanOptions, type StorageAdapter, type WriteOp } from '../storage/storage-port.ts';

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

/** The docs-store range holding exactly one document: its header and every field after it. */
export function docRange(key: string): ScanOptions {
  const header = docStorageKey(key);
  const lt = new Uint8Array(header.length + 1);
  lt.set(header);
  lt[header.length] = 1;
  return { gte: header, lt };
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

/** Storage key of entry `n` of a sequence field's op log: the field key, 0x00, n as u32 BE. */
export function seqLogKey(key: string, field: string, n: number): Uint8Array {
  const base = fieldStorageKey(key, field);
  const out = new Uint8Array(base.length + 5);
  out.set(base);
  new DataView(out.buffer).setUint32(base.length + 1, n);
  return out;
}

/** The prefix every log entry of a sequence field starts with: the field key and 0x00. */
function seqLogPrefix(key: string, field: string): Uint8Array {
  const base = fieldStorageKey(key, field);
  const out = new Uint8Array(base.length + 1);
  out.set(base);
  return out;
}

/** A sequence op as applied to a field: its payload, agent and first element id. */
export interface SeqRecord {
  readonly x: CanonicalValue;
  readonly agent: string;
  readonly start: number;
}

/** What storage holds for one sequence field beyond its snapshot (see the header). */
export interface SeqLogState {
  /** Log entries after the snapshot; the next one is written at this index. */
  entries: number;
  /** Their total value bytes. */
  logBytes: number;
  /** Value bytes of the snapshot. */
  snapBytes: number;
}

/** The persisted-log state of each loaded or written sequence field, by field object. */
export type SeqLogs = WeakMap<object, SeqLogState>;

/** A log never triggers a snapshot rewrite below this size, so small fields don't churn. */
export const SEQ_LOG_MIN_BYTES = 4096;

/** Incremental persistence of sequence fields for {@link putDocOps}. */
export interface SeqPersist {
  readonly logs: SeqLogs;
  /** Sequence ops applied in this batch, by field key (absent: persist the field whole). */
  readonly applied: ReadonlyMap<string, readonly SeqRecord[]> | undefined;
  /** Log-state updates to run once the batch is durably written. */
  readonly after: (() => void)[];
  /**
   * True when the field's live state holds local edits not yet in a committed change (an open
   * or waiting edit burst). Such a state must not be snapshotted (storage never holds unsigned
   * edits), so the field's log keeps growing until a batch finds it clean.
   */
  readonly unsigned?: ((key: string, field: string) => boolean) | undefined;
}

/** One log entry's value: `[agents, [agentIndex, start, payload, …]]`. */
function encodeSeqLog(records: readonly SeqRecord[]): Uint8Array {
  const agents: string[] = [];
  const flat: CanonicalValue[] = [];
  for (const r of records) {
    let a = agents.indexOf(r.agent);
    if (a < 0) a = agents.push(r.agent) - 1;
    flat.push(a, r.start, r.x);
  }
  return encode([agents, flat]);
}

/** Re-applies one log entry to a field loaded from its snapshot. */
function applySeqLog(field: SeqField, value: Uint8Array, seqHooks: SequenceHooks): void {
  const raw = decode(value) as [string[], CanonicalValue[]];
  if (!Array.isArray(raw) || raw.length !== 2 || !Array.isArray(raw[0]) || !Array.isArray(raw[1]))
    throw new WeftError('E_STORAGE', 'malformed sequence log entry');
  const [agents, flat] = raw;
  for (let i = 0; i + 2 < flat.length; i += 3) {
    const agent = agents[flat[i] as number];
    if (typeof agent !== 'string') throw new WeftError('E_STORAGE', 'malformed sequence log entry');
    seqHooks.apply(field.state, flat[i + 2]!, agent, flat[i + 1] as number);
  }
}

function fieldPut(key: string, f: string, value: Uint8Array): WriteOp {
  return { type: 'put', store: 'docs', key: fieldStorageKey(key, f), value };
}

/** Puts a field whole; a sequence field's log starts over empty (`dropLog`: delete the old one). */
function putWhole(
  ops: WriteOp[],
  key: string,
  f: string,
  state: FieldState,
  seqHooks: SequenceHooks | undefined,
  persist: SeqPersist | undefined,
  dropLog = false,
): void {
  if (dropLog && state.t === 'seq') {
    const logPrefix = seqLogPrefix(key, f);
    ops.push({ type: 'deleteRange', store: 'docs', gte: logPrefix, lt: prefixEnd(logPrefix)! });
  }
  const value = encodeFieldState(state, seqHooks);
  ops.push(fieldPut(key, f, value));
  if (persist !== undefined && state.t === 'seq')
    persist.after.push(() => persist.logs.set(state, { entries: 0, logBytes: 0, snapBytes: value.length }));
}

/**
 * Writes that persist the touched parts of a document. Without `persist`, sequence fields are
 * written whole (bootstrap); with it, a sequence field whose snapshot is stored gets the batch's
 * ops appended to its log instead, until the log outgrows the snapshot.
 */
export function putDocOps(
  key: string,
  doc: DocState,
  fields: Set<string> | 'all',
  seqHooks?: SequenceHooks,
  persist?: SeqPersist,
): WriteOp[] {
  const ops: WriteOp[] = [{ type: 'put', store: 'docs', key: docStorageKey(key), value: encodeDocHeader(doc) }];
  if (fields === 'all') {
    // Removes every field entry and every sequence log of the doc.
    const prefix = fieldStorageKey(key, '');
    ops.push({ type: 'deleteRange', store: 'docs', gte: prefix, lt: prefixEnd(prefix)! });
    for (const f in doc.f) putWhole(ops, key, f, doc.f[f]!, seqHooks, persist);
    return ops;
  }
  for (const f of fields) {
    const state = doc.f[f];
    if (state === undefined) continue;
    const records = state.t === 'seq' ? persist?.applied?.get(f) : undefined;
    if (records === undefined) {
      putWhole(ops, key, f, state, seqHooks, persist, true);
      continue;
    }
    const p = persist!;
    const value = encodeSeqLog(records);
    const log = p.logs.get(state);
    if (log !== undefined) {
      if (log.logBytes + value.length > Math.max(SEQ_LOG_MIN_BYTES, log.snapBytes) && !p.unsigned?.(key, f)) {
        putWhole(ops, key, f, state, seqHooks, p, true);
        continue;
      }
      const n = log.entries;
      ops.push({ type: 'put', store: 'docs', key: seqLogKey(key, f, n), value });
      p.after.push(() => {
        log.entries = n + 1;
        log.logBytes += value.length;
      });
    } else if (p.unsigned?.(key, f) && seqHooks !== undefined) {
      // Nothing stored yet, so the field was empty before this batch (a field loaded or written
      // whole has a log state): an empty snapshot plus this batch's ops is its committed state.
      const empty: SeqField = { t: 'seq', state: seqHooks.create(seqHooks.kindOf(records[0]!.x)) };
      putWhole(ops, key, f, empty, seqHooks, undefined, true);
      const snapBytes = (ops[ops.length - 1] as { value: Uint8Array }).value.length;
      ops.push({ type: 'put', store: 'docs', key: seqLogKey(key, f, 0), value });
      p.after.push(() => p.logs.set(state, { entries: 1, logBytes: value.length, snapBytes }));
    } else putWhole(ops, key, f, state, seqHooks, p, true);
  }
  return ops;
}

/**
 * Reads every document back from the docs store (headers followed by their fields, each
 * sequence snapshot followed by its log, which is re-applied). Records each sequence field's log
 * state in `logs`. `range` limits the read to part of the store (one doc: {@link docRange}).
 */
export async function loadDocs(
  storage: StorageAdapter,
  seqHooks?: SequenceHooks,
  logs?: SeqLogs,
  range?: ScanOptions,
): Promise<DocState[]> {
  const out: DocState[] = [];
  let current: DocState | undefined;
  let seq: { name: string; field: SeqField; log: SeqLogState } | undefined;
  for (const { key, value } of await storage.scan('docs', range)) {
    const sep = key.indexOf(0);
    if (sep < 0) {
      current = decodeDocHeader(value);
      out.push(current);
      seq = undefined;
      continue;
    }
    if (current === undefined) continue;
    const sep2 = key.indexOf(0, sep + 1);
    if (sep2 < 0) {
      const name = fromUtf8(key.subarray(sep + 1));
      const state = decodeFieldState(value, seqHooks);
      current.f[name] = state;
      seq =
        state.t === 'seq'
          ? { name, field: state, log: { entries: 0, logBytes: 0, snapBytes: value.length } }
          : undefined;
      if (seq !== undefined) logs?.set(seq.field, seq.log);
      continue;
    }
    // A log entry sorts right after its field's snapshot.
    if (
      seq === undefined ||
      seqHooks === undefined ||
      sep2 + 5 !== key.length ||
      fromUtf8(key.subarray(sep + 1, sep2)) !== seq.name
    )
      throw new WeftError('E_STORAGE', 'sequence log entry without its snapshot');
    const n = new DataView(key.buffer, key.byteOffset + sep2 + 1, 4).getUint32(0);
    if (n !== seq.log.entries) throw new WeftError('E_STORAGE', 'sequence log has a gap');
    applySeqLog(seq.field, value, seqHooks);
    seq.log.entries++;
    seq.log.logBytes += value.length;
  }
  return out;
}

/** Storage key of a meta entry. */
export function metaKey(name: string): Uint8Array {
  return utf8(name);
}

/**
 * Writes that store (or re-store with a new status) one log entry: one record. The per-author
 * chain index is rebuilt in memory from these records at open (log/change-log.ts); stores
 * written by older versions may still hold `chain` entries, which nothing reads.
 */
export function putEntryOps(entry: LogEntry): WriteOp[] {
  // The roll-back flag is appended only when set, so ordinary records keep their old form.
  const fields: CanonicalValue[] = [entry.sc.bytes, entry.status, entry.reason, entry.order];
  if (entry.rolledBack === true) fields.push(true);
  return [{ type: 'put', store: 'changes', key: changeKey(entry.sc.hash), value: encode(fields) }];
}

/** A decoded change record. */
export interface StoredChange {
  readonly bytes: Uint8Array;
  readonly status: ChangeStatus;
  readonly reason: WeftErrorCode | null;
  readonly order: number;
  /** Applied first, rejected later (log/change-log.ts `LogEntry.rolledBack`). */
  readonly rolledBack: boolean;
}

/** Decodes a change record. */
export function decodeChangeRecord(value: Uint8Array): StoredChange {
  const [bytes, status, reason, order, rolledBack] = decode(value) as [
    Uint8Array,
    ChangeStatus,
    WeftErrorCode | null,
    number,
    boolean | undefined,
  ];
  return { bytes, status, reason, order, rolledBack: rolledBack === true };
}

/** A meta write. */
export function putMeta(name: string, value: CanonicalValue): WriteOp {
  return { type: 'put', store: 'meta', key: metaKey(name), value: encode(value) };
}
