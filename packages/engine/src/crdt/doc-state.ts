/**
 * A document's CRDT state: a map of field paths to field CRDTs, plus delete tombstones.
 *
 * Invariants:
 *  1. A write op is *live* iff its change is causally after every delete tombstone of the doc
 *     (an op later in the same change as a delete counts as after it). Ops that are not live are
 *     dropped: "delete wins over a concurrent update".
 *  2. Applying a delete clears every field: every write applied so far is causally before or
 *     concurrent with it (causal delivery), so none of them is live after it.
 *  3. Together, 1 and 2 make the state a function of the *set* of applied changes, for any causal
 *     delivery order. A causally later write restores the doc with only the fields written after
 *     the delete.
 *  4. Fields are keyed by op kind and path ("lww:title"), so a schemaless app that mixes kinds on
 *     one path cannot make replicas disagree; materialization picks kinds by a fixed precedence.
 *  5. Ops later in a change are causally after earlier ones: a set-remove also removes the adds of
 *     the same value made earlier in its own change (their tags cannot be named before signing).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { CollectionName, DocId } from '../ids.ts';
import type { DocOp } from '../change/op.ts';
import { opId } from '../change/op.ts';
import { lwwSet, type LwwRegister } from './lww-register.ts';
import { counterInc, counterValue, emptyCounter, type PnCounter } from './pn-counter.ts';
import { emptyOrSet, orSetAdd, orSetRemove, orSetRemoveOwn, orSetValues, type OrSet } from './or-set.ts';
import { compareStamp, stampOf, type Stamp } from './stamp.ts';
import type { Hlc } from '../clock/hlc.ts';

/** A sequence (text/list) field; its CRDT lives in crdt/sequence and is reached through hooks. */
export interface SeqField {
  readonly t: 'seq';
  state: unknown;
}

/** Any field CRDT. */
export type FieldState = LwwRegister | PnCounter | OrSet | SeqField;

/** One document's mutable CRDT state. */
export interface DocState {
  readonly c: CollectionName;
  readonly d: DocId;
  /** `${kind}:${dotted path}` → field CRDT */
  f: Record<string, FieldState>;
  /** Hashes of the delete changes not covered by a later delete (the tombstone frontier). */
  tombs: string[];
  /** True when at least one live write has been applied since the last delete. */
  alive: boolean;
}

/** The change an op comes from, and how to ask the log about causality. */
export interface ApplyContext {
  readonly hash: string;
  readonly author: string;
  readonly seq: number;
  readonly hlc: Hlc;
  /** True when the change at `tombHash` is in the causal past of the change being applied. */
  readonly isAfter: (tombHash: string) => boolean;
}

/** How sequence fields are created and changed (provided by the sequence CRDT module). */
export interface SequenceHooks {
  create(kind: 'text' | 'list'): unknown;
  /** Applies a payload whose inserted elements get ids from `counterStart` on. */
  apply(state: unknown, payload: CanonicalValue, agent: string, counterStart: number): void;
  /**
   * How many element ids a payload consumes. Pure, so a change's per-op counters are known
   * without applying other docs' ops (an op's ids start at seq·2^20 + the counts before it).
   */
  insertCount(payload: CanonicalValue): number;
  value(state: unknown): CanonicalValue;
  encode(state: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
  /** Which kind a fresh field gets from its first payload. */
  kindOf(payload: CanonicalValue): 'text' | 'list';
}

/** A fresh, empty document. */
export function emptyDoc(c: CollectionName, d: DocId): DocState {
  return { c, d, f: {}, tombs: [], alive: false };
}

/** Key of a doc in maps and storage. */
export function docKey(c: string, d: string): string {
  return `${c}/${d}`;
}

/**
 * Applies op `index` of a change. `counterStart` is the first sequence element id this op may
 * use (see {@link SequenceHooks.insertCount}). Returns the key of the field it changed, `'*'`
 * when a delete cleared every field, or null when the op was dropped (not live).
 */
export function applyDocOp(
  doc: DocState,
  op: DocOp,
  index: number,
  ctx: ApplyContext,
  counterStart: number,
  seqHooks: SequenceHooks | undefined,
): string | null {
  if (op.k === 'del') {
    doc.tombs = doc.tombs.filter((t) => !ctx.isAfter(t));
    doc.tombs.push(ctx.hash);
    doc.tombs.sort();
    doc.f = {};
    doc.alive = false;
    return '*';
  }
  for (const t of doc.tombs) if (t !== ctx.hash && !ctx.isAfter(t)) return null;
  doc.alive = true;
  const path = op.p.join('.');
  switch (op.k) {
    case 'set': {
      const key = `lww:${path}`;
      doc.f[key] = lwwSet(doc.f[key] as LwwRegister | undefined, op.v, stampOf(ctx.hlc, ctx.author, ctx.hash, index));
      return key;
    }
    case 'inc': {
      const key = `ctr:${path}`;
      const ctr = (doc.f[key] as PnCounter | undefined) ?? (doc.f[key] = emptyCounter());
      counterInc(ctr, ctx.author, op.n);
      return key;
    }
    case 'add': {
      const key = `set:${path}`;
      const set = (doc.f[key] as OrSet | undefined) ?? (doc.f[key] = emptyOrSet());
      orSetAdd(set, op.v, opId(ctx.hash, index));
      return key;
    }
    case 'rem': {
      const key = `set:${path}`;
      const set = (doc.f[key] as OrSet | undefined) ?? (doc.f[key] = emptyOrSet());
      const sameChange: string[] = [];
      for (let j = 0; j < index; j++) sameChange.push(opId(ctx.hash, j));
      orSetRemove(set, op.v, op.t);
      orSetRemoveOwn(set, op.v, sameChange);
      return key;
    }
    case 'seq': {
      if (seqHooks === undefined) return null;
      const key = `seq:${path}`;
      let field = doc.f[key] as SeqField | undefined;
      if (field === undefined) field = doc.f[key] = { t: 'seq', state: seqHooks.create(seqHooks.kindOf(op.x)) };
      seqHooks.apply(field.state, op.x, ctx.author, counterStart);
      return key;
    }
  }
}

const KIND_RANK: Record<string, number> = { lww: 0, ctr: 1, set: 2, seq: 3 };

function fieldValue(f: FieldState, seqHooks: SequenceHooks | undefined): CanonicalValue {
  switch (f.t) {
    case 'lww':
      return f.v;
    case 'ctr':
      return counterValue(f);
    case 'set':
      return orSetValues(f);
    case 'seq':
      return seqHooks === undefined ? null : seqHooks.value(f.state);
  }
}

/** The user-visible value of a document, or undefined when it is deleted or was never written. */
export function materialize(doc: DocState, seqHooks?: SequenceHooks): Record<string, CanonicalValue> | undefined {
  if (!doc.alive) return undefined;
  const keys = Object.keys(doc.f).sort((a, b) => {
    const pa = a.slice(a.indexOf(':') + 1);
    const pb = b.slice(b.indexOf(':') + 1);
    return pa < pb ? -1 : pa > pb ? 1 : KIND_RANK[a.slice(0, 3)]! - KIND_RANK[b.slice(0, 3)]!;
  });
  // Nested LWW paths: a scalar at "a" and a subtree "a.b" conflict; the newer write wins.
  const lwwStamps = new Map<string, Stamp>();
  for (const k of keys) {
    const f = doc.f[k]!;
    if (f.t === 'lww') lwwStamps.set(k.slice(4), f.s);
  }
  const out: Record<string, CanonicalValue> = {};
  const taken = new Set<string>();
  for (const k of keys) {
    const path = k.slice(k.indexOf(':') + 1);
    if (taken.has(path)) continue;
    const f = doc.f[k]!;
    const segs = path.split('.');
    if (f.t === 'lww' && shadowed(path, f.s, lwwStamps)) continue;
    taken.add(path);
    let target = out as Record<string, CanonicalValue>;
    for (let i = 0; i < segs.length - 1; i++) {
      const cur = target[segs[i]!];
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || cur instanceof Uint8Array)
        target[segs[i]!] = {};
      target = target[segs[i]!] as Record<string, CanonicalValue>;
    }
    target[segs[segs.length - 1]!] = fieldValue(f, seqHooks);
  }
  return out;
}

/** True when a conflicting prefix or descendant LWW write is newer than this one. */
function shadowed(path: string, s: Stamp, stamps: Map<string, Stamp>): boolean {
  for (const [other, os] of stamps) {
    if (other === path) continue;
    const related = other.startsWith(path + '.') || path.startsWith(other + '.');
    if (related && compareStamp(os, s) > 0) return true;
  }
  return false;
}
