/**
 * The write-behind journal: a large batch is made durable as ONE IndexedDB record instead of
 * one request per op, and copied into the port's stores afterwards ("drained").
 *
 * Why: IndexedDB's cost is per request (structured clone plus a round trip to the browser's
 * storage backend), not per byte. A 10,000-doc insert is ~90,000 small records, which takes
 * seconds; the same ops encoded into one buffer commit in one put.
 *
 * Invariants:
 *  1. A journaled batch is durable and atomic when its journal put commits; the write resolves
 *     only then, so everything acknowledged survives a crash.
 *  2. Batches drain in sequence order, in chunks; each chunk's transaction also advances the
 *     applied marker (seq, op), so a crash mid-drain resumes exactly where it stopped, and
 *     re-applying a prefix is harmless (ops are plain puts and deletes, applied in order).
 *  3. Until a batch is fully drained, reads resolve keys through it (newest batch first), so
 *     the adapter always reads as if every committed batch had been applied.
 *  4. A drain skips a put or delete whose key a later *committed* batch writes or deletes
 *     again (indexeddb-overlay.ts `LastWriters`): that batch is durable and drains after this
 *     one (invariant 2), also after a crash, so the stores end the same without the copy.
 *     A sync that commits batch after batch over the same docs copies each field once.
 *  5. Drains start DRAIN_DELAY_MS after a batch found none scheduled, or at once past a backlog
 *     cap (indexeddb-storage.ts `scheduleDrain`), so batches arriving in a burst drain together
 *     and the copying stays off the path of the writes that are still coming. Durability does
 *     not wait for it (invariant 1); only the journal's memory does, bounded by the cap.
 *
 *   record  = op*       op = type u8, store u8, then by type:
 *     put         varint len, key, varint len, value
 *     delete      varint len, key
 *     deleteRange varint len, gte, varint len, lt
 *   marker  = u64 BE seq, u32 BE op      (every batch < seq, and ops [0, op) of seq, applied)
 */
import { STORES, WeftError, type StoreName, type WriteOp } from '@weft/engine';

const TYPES = ['put', 'delete', 'deleteRange'] as const;
const STORE_INDEX = new Map<string, number>(STORES.map((s, i) => [s, i]));

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    size++;
  }
  return size;
}

/** Encodes a batch into one journal record. */
export function encodeBatch(ops: readonly WriteOp[]): Uint8Array {
  let size = 0;
  for (const op of ops) {
    size += 2;
    const parts = op.type === 'put' ? [op.key, op.value] : op.type === 'delete' ? [op.key] : [op.gte, op.lt];
    for (const p of parts) size += varintSize(p.length) + p.length;
  }
  const out = new Uint8Array(size);
  let pos = 0;
  const bytes = (b: Uint8Array): void => {
    let n = b.length;
    while (n >= 0x80) {
      out[pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 0x80);
    }
    out[pos++] = n;
    out.set(b, pos);
    pos += b.length;
  };
  for (const op of ops) {
    out[pos++] = TYPES.indexOf(op.type);
    out[pos++] = STORE_INDEX.get(op.store)!;
    if (op.type === 'put') {
      bytes(op.key);
      bytes(op.value);
    } else if (op.type === 'delete') bytes(op.key);
    else {
      bytes(op.gte);
      bytes(op.lt);
    }
  }
  return out;
}

/** Decodes a journal record (values are views into it). */
export function decodeBatch(record: Uint8Array): WriteOp[] {
  const ops: WriteOp[] = [];
  let pos = 0;
  const bad = (): never => {
    throw new WeftError('E_STORAGE', 'corrupt IndexedDB journal record');
  };
  const bytes = (): Uint8Array => {
    let n = 0;
    let mul = 1;
    for (;;) {
      if (pos >= record.length) bad();
      const b = record[pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 0x80;
    }
    if (pos + n > record.length) bad();
    return record.subarray(pos, (pos += n));
  };
  while (pos < record.length) {
    const type = TYPES[record[pos++]!] ?? bad();
    const store: StoreName = STORES[record[pos++] ?? 0xff] ?? bad();
    if (type === 'put') ops.push({ type, store, key: bytes(), value: bytes() });
    else if (type === 'delete') ops.push({ type, store, key: bytes() });
    else ops.push({ type, store, gte: bytes(), lt: bytes() });
  }
  return ops;
}

/** Where draining stands. */
export interface Applied {
  readonly seq: number;
  readonly op: number;
}

/** Encodes the applied marker. */
export function encodeApplied(a: Applied): Uint8Array {
  const out = new Uint8Array(12);
  const v = new DataView(out.buffer);
  v.setUint32(0, Math.floor(a.seq / 0x100000000));
  v.setUint32(4, a.seq >>> 0);
  v.setUint32(8, a.op);
  return out;
}

/** Decodes the applied marker (absent: nothing applied yet). */
export function decodeApplied(bytes: Uint8Array | undefined): Applied {
  if (bytes === undefined) return { seq: 0, op: 0 };
  if (bytes.length !== 12) throw new WeftError('E_STORAGE', 'corrupt IndexedDB journal marker');
  const v = new DataView(bytes.buffer, bytes.byteOffset, 12);
  return { seq: v.getUint32(0) * 0x100000000 + v.getUint32(4), op: v.getUint32(8) };
}
