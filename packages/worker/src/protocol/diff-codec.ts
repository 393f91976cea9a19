/**
 * Live query diffs across the worker boundary. The worker encodes each {@link LiveDiff} (without
 * its full `result`) into one canonical-CBOR buffer and transfers it, so a diff costs one
 * message and no structured-clone walk of the rows; the tab decodes it and patches its previous
 * result with {@link applyDiff}, keeping every untouched row object (structural sharing).
 *
 * Invariants:
 *  1. `applyDiff(prev, decodeDiff(encodeDiff(d)))` deep-equals `d.result` whenever `prev`
 *     deep-equals the result before `d` (the round-trip test).
 *  2. A row the diff does not mention keeps its identity; a changed or added row is a new object.
 *  3. A diff that does not fit `prev` (wrong sizes or indexes) throws `E_PROTOCOL`, so the
 *     observer resubscribes instead of showing a corrupt list.
 */
import { WeftError, decode, encode, type CanonicalValue, type LiveDiff, type Row } from '@weft/engine';

/** A decoded diff: what the tab needs to patch its result. */
export interface WireDiff {
  readonly initial: boolean;
  /** Rows in the new result. */
  readonly size: number;
  readonly added: readonly (readonly [id: string, index: number, row: Row])[];
  readonly removed: readonly (readonly [id: string, index: number])[];
  readonly changed: readonly (readonly [id: string, index: number, row: Row])[];
  readonly moved: readonly (readonly [id: string, from: number, to: number])[];
}

/** Encodes a diff for transfer (the buffer is exactly the encoding, so it can be transferred). */
export function encodeDiff(d: LiveDiff): Uint8Array {
  const wire = {
    i: d.initial,
    n: d.result.length,
    a: d.added.map((x) => [x.id, x.index, x.row]),
    r: d.removed.map((x) => [x.id, x.index]),
    c: d.changed.map((x) => [x.id, x.index, x.row]),
    m: d.moved.map((x) => [x.id, x.from, x.to]),
  };
  return encode(wire as unknown as CanonicalValue);
}

/** Decodes {@link encodeDiff}'s output; malformed bytes throw `E_DECODE`/`E_PROTOCOL`. */
export function decodeDiff(bytes: Uint8Array): WireDiff {
  const w = decode(bytes) as Record<string, unknown>;
  if (typeof w !== 'object' || w === null || typeof w.i !== 'boolean' || typeof w.n !== 'number')
    throw new WeftError('E_PROTOCOL', 'malformed live query diff');
  for (const k of ['a', 'r', 'c', 'm'])
    if (!Array.isArray(w[k])) throw new WeftError('E_PROTOCOL', 'malformed live query diff');
  return {
    initial: w.i,
    size: w.n,
    added: w.a as WireDiff['added'],
    removed: w.r as WireDiff['removed'],
    changed: w.c as WireDiff['changed'],
    moved: w.m as WireDiff['moved'],
  };
}

function mismatch(): never {
  throw new WeftError('E_PROTOCOL', 'live query diff does not fit the current result');
}

/** Patches `prev` with `d` (invariants 1-3). */
export function applyDiff(prev: readonly Row[], d: WireDiff): Row[] {
  // The common live update: rows changed in place, none added, removed or moved.
  if (!d.initial && d.added.length === 0 && d.removed.length === 0 && d.moved.length === 0) {
    if (d.size !== prev.length) mismatch();
    const out = prev.slice();
    for (const [id, index, row] of d.changed) {
      if (out[index]?.id !== id) mismatch();
      out[index] = row;
    }
    return out;
  }
  const base: readonly Row[] = d.initial ? [] : prev;
  const gone = new Set<string>();
  for (const [id, index] of d.removed) {
    if (base[index]?.id !== id) mismatch();
    gone.add(id);
  }
  const placed = new Map<number, Row>();
  for (const [id, from, to] of d.moved) {
    const row = base[from];
    if (row?.id !== id) mismatch();
    gone.add(id);
    placed.set(to, row);
  }
  for (const [, index, row] of d.added) placed.set(index, row);
  const out = new Array<Row>(d.size);
  let s = 0;
  for (let i = 0; i < d.size; i++) {
    const p = placed.get(i);
    if (p !== undefined) {
      out[i] = p;
      continue;
    }
    while (s < base.length && gone.has(base[s]!.id)) s++;
    if (s >= base.length) mismatch();
    out[i] = base[s++]!;
  }
  while (s < base.length && gone.has(base[s]!.id)) s++;
  if (s !== base.length) mismatch();
  for (const [id, index, row] of d.changed) {
    if (out[index]?.id !== id) mismatch();
    out[index] = row;
  }
  return out;
}
