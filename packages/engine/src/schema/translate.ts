/**
 * Translates ops written against one schema version into another version of the same lineage,
 * so replicas on different versions read each other's changes (DESIGN §4: old replicas keep
 * working). Signed ops never change: translation happens when ops are read or applied.
 *
 * Forward (old → new), per step in order:
 *  - renameField a→b: ops on `a` (and paths under it) now name `b`;
 *  - dropField f / dropCollection c: ops on them are dropped;
 *  - addField, addCollection, changeField, changeRule: nothing (added fields read their defaults).
 * Backward (new → old), per step in reverse order, the inverse:
 *  - renameField a→b: ops on `b` name `a` again;
 *  - addField f / addCollection c: ops on them are dropped (the old version has no such field);
 *  - dropField, dropCollection, changeField, changeRule: nothing (new ops never write a dropped
 *    field; values valid under changed constraints may break older constraints, and the older
 *    replica judges them by the schema they were written against, not by its own).
 * When dropping removes every write the ops make to a doc (after their last delete of it), the
 * first dropped write becomes `set _created true`: a doc the ops create still exists in the other
 * version (on a doc that already existed, the engine's marker field is harmless).
 */
import { WeftError } from '../errors.ts';
import type { DocOp } from '../change/op.ts';
import { docKey } from '../crdt/doc-state.ts';
import type { MigrationStepData } from './migration-steps.ts';
import type { Schema } from './schema.ts';

type Rewrite = (op: DocOp) => DocOp | null;

function onField(op: DocOp, c: string, f: string): boolean {
  return op.c === c && op.k !== 'del' && op.p[0] === f;
}

function renamed(op: DocOp, to: string): DocOp {
  return op.k === 'del' ? op : { ...op, p: [to, ...op.p.slice(1)] };
}

function forward(step: MigrationStepData): Rewrite {
  switch (step.s) {
    case 'renameField':
      return (op) => (onField(op, step.c, step.from) ? renamed(op, step.to) : op);
    case 'dropField':
      return (op) => (onField(op, step.c, step.f) ? null : op);
    case 'dropCollection':
      return (op) => (op.c === step.c ? null : op);
    default:
      return (op) => op;
  }
}

function backward(step: MigrationStepData): Rewrite {
  switch (step.s) {
    case 'renameField':
      return (op) => (onField(op, step.c, step.to) ? renamed(op, step.from) : op);
    case 'addField':
      return (op) => (onField(op, step.c, step.f) ? null : op);
    case 'addCollection':
      return (op) => (op.c === step.c ? null : op);
    default:
      return (op) => op;
  }
}

/** Steps from `older` up to `newer` (oldest first); undefined when `newer` does not descend from it. */
function stepsBetween(older: Schema, newer: Schema): MigrationStepData[] | undefined {
  if (!newer.knows(older.hash)) return undefined;
  const chunks: MigrationStepData[][] = [];
  let s: Schema | undefined = newer;
  while (s !== undefined && s.hash !== older.hash) {
    const m = s.migration;
    if (m === undefined) return undefined;
    chunks.unshift(m.steps as unknown as MigrationStepData[]);
    s = newer.byHash(m.prev);
  }
  return s === undefined ? undefined : chunks.flat();
}

/** Keeps created docs alive when every write the ops made to them was dropped (see above). */
function keepCreatedDocs(source: readonly DocOp[], out: (DocOp | null)[], target: Schema): void {
  const afterLastDel = new Map<string, number[]>();
  for (let i = 0; i < source.length; i++) {
    const op = source[i]!;
    const key = docKey(op.c, op.d);
    if (op.k === 'del') afterLastDel.set(key, []);
    else {
      let list = afterLastDel.get(key);
      if (list === undefined) afterLastDel.set(key, (list = []));
      list.push(i);
    }
  }
  for (const writes of afterLastDel.values()) {
    const first = writes[0];
    if (first === undefined || writes.some((i) => out[i] !== null)) continue;
    const op = source[first]!;
    if (target.collection(op.c) === undefined) continue; // the whole collection is gone
    out[first] = { k: 'set', c: op.c, d: op.d, p: ['_created'], v: true };
  }
}

/**
 * `ops` written against `from`, rewritten for `to`, **position by position**: a dropped op is
 * `null`. Use this when applying: op ids (`<change>:<index>`) tag set elements and number
 * sequence elements, so positions must not shift. Throws `E_SCHEMA` when neither version
 * descends from the other.
 */
export function translateOpsAligned(from: Schema, to: Schema, ops: readonly DocOp[]): (DocOp | null)[] {
  if (from.hash === to.hash) return [...ops];
  const up = stepsBetween(from, to);
  const down = up === undefined ? stepsBetween(to, from) : undefined;
  if (up === undefined && down === undefined)
    throw new WeftError(
      'E_SCHEMA',
      `schemas ${from.hash.slice(0, 12)} and ${to.hash.slice(0, 12)} share no migration path`,
    );
  const rewrites = up !== undefined ? up.map(forward) : down!.slice().reverse().map(backward);
  const out = ops.map((op) => rewrites.reduce<DocOp | null>((acc, r) => (acc === null ? null : r(acc)), op));
  keepCreatedDocs(ops, out, to);
  return out;
}

/** `ops` written against `from`, rewritten for `to`, with dropped ops removed (see module doc). */
export function translateOps(from: Schema, to: Schema, ops: readonly DocOp[]): DocOp[] {
  return translateOpsAligned(from, to, ops).filter((op): op is DocOp => op !== null);
}
