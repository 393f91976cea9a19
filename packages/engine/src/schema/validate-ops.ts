/**
 * Schema validation of a change's ops (ingest step 7): a pure function of the schema, the ops
 * and the state at the change's causal past, so every replica reaches the same verdict.
 *
 * - `E_SCHEMA`: unknown collection or field, or an op kind that does not fit the field's type
 *   (`inc` on a string, `set` on a counter, `seq` on a number, a list payload on text…).
 * - `E_VALIDATION`: a value that breaks the field's type or constraints, a required field left
 *   unset by the change that creates a doc, or a ref to a doc that does not exist.
 *
 * A doc is *created* by a change when, after the change's last delete of it (if any), the change
 * writes it, and it was not visible in the view (or the change deleted it first: a restore starts
 * from nothing). A ref must name a doc that exists once the change is applied: visible in the view
 * or written by the same change, and not deleted by the change's last op on it.
 * Deletes always validate. `rem` values are not checked: removing any value is harmless.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { DocOp } from '../change/op.ts';
import type { Verdict } from '../replica/validator.ts';
import { docKey } from '../crdt/doc-state.ts';
import { LWW_KINDS, mustBeWritten, type FieldSpec } from './field-spec.ts';
import { lookupPath } from './collection-spec.ts';
import { checkValue, type ValueProblem } from './value-check.ts';
import { SeqLengths } from './seq-check.ts';
import type { Schema } from './schema.ts';

/** Read access to document state at the causal past of the change being judged. */
export interface PastView {
  doc(collection: string, id: string): Record<string, CanonicalValue> | undefined;
}

interface DocTrack {
  readonly c: string;
  readonly d: string;
  /** Index of the change's last delete of the doc, or -1. */
  lastDel: number;
  lastIsDel: boolean;
}

interface PendingRef {
  readonly at: string;
  readonly path: string;
  readonly collection: string;
  readonly id: string;
}

const OP_KINDS_FOR: Readonly<Record<string, (spec: FieldSpec) => boolean>> = {
  set: (s) => LWW_KINDS.has(s.type),
  inc: (s) => s.type === 'counter',
  add: (s) => s.type === 'set',
  rem: (s) => s.type === 'set',
  seq: (s) => s.type === 'text' || s.type === 'list',
};

/** How a container field is written instead, for messages. */
const HOW: Readonly<Record<string, string>> = {
  counter: 'increment it (inc)',
  set: 'add/remove elements',
  text: 'edit it with seq ops',
  list: 'edit it with seq ops',
};

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

/** The first required field path under `fields` that the create leaves unset. */
function missingRequired(
  fields: Readonly<Record<string, FieldSpec>>,
  prefix: readonly string[],
  written: readonly (readonly string[])[],
): string | undefined {
  for (const [name, spec] of Object.entries(fields)) {
    const path = [...prefix, name];
    if (written.some((w) => isPrefix(w, path))) continue; // written whole (its value was checked)
    if (spec.type === 'object' && spec.default === undefined) {
      const touched = written.some((w) => isPrefix(path, w));
      if (spec.optional === true && !touched) continue;
      const m = missingRequired(spec.fields ?? {}, path, written);
      if (m !== undefined) return m;
      continue;
    }
    if (mustBeWritten(spec)) return path.join('.');
  }
  return undefined;
}

function problemAt(at: string, p: ValueProblem): Verdict {
  return { code: p.code, message: `${at}: ${p.message}` };
}

/** Validates `ops` against `schema` at the causal past `view`; null when they are valid. */
export function validateOps(schema: Schema, ops: readonly DocOp[], view: PastView): Verdict {
  const docs = new Map<string, DocTrack>();
  const refs: PendingRef[] = [];
  const seq = new SeqLengths(view);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const at = `${op.c}/${op.d}`;
    const coll = schema.collection(op.c);
    if (coll === undefined) return { code: 'E_SCHEMA', message: `${at}: unknown collection "${op.c}"` };
    const key = docKey(op.c, op.d);
    let t = docs.get(key);
    if (t === undefined) docs.set(key, (t = { c: op.c, d: op.d, lastDel: -1, lastIsDel: false }));
    t.lastIsDel = op.k === 'del';
    if (op.k === 'del') {
      t.lastDel = i;
      seq.deleted(op.c, op.d);
      continue;
    }
    const path = op.p.join('.');
    // Transaction.insert marks an insert without fields with `_created: true`.
    if (op.k === 'set' && op.p.length === 1 && op.p[0] === '_created') {
      if (op.v !== true) return { code: 'E_SCHEMA', message: `${at}: _created can only be set to true` };
      continue;
    }
    const target = lookupPath(coll.fields, op.p);
    if (target === undefined) return { code: 'E_SCHEMA', message: `${at}: unknown field "${path}"` };
    const spec = target.spec;
    if (target.insideJson) {
      if (op.k !== 'set') return { code: 'E_SCHEMA', message: `${at}: "${path}" is inside a json field: only set` };
      continue;
    }
    if (!OP_KINDS_FOR[op.k]!(spec)) {
      const how = HOW[spec.type] ?? 'set it';
      return { code: 'E_SCHEMA', message: `${at}: field "${path}" is a ${spec.type}: cannot ${op.k} it (${how})` };
    }
    const sink = (collection: string, id: string, p: string): void => void refs.push({ at, path: p, collection, id });
    let problem: ValueProblem | null = null;
    if (op.k === 'set') problem = checkValue(spec, op.v, path, sink);
    else if (op.k === 'add') problem = checkValue(spec.of!, op.v, `${path}[]`, sink);
    else if (op.k === 'seq') problem = seq.check(op.c, op.d, path, spec, op.x, sink);
    if (problem !== null) return problemAt(at, problem);
  }

  const existsAfter = (c: string, d: string): boolean => {
    const t = docs.get(docKey(c, d));
    return t === undefined ? view.doc(c, d) !== undefined : !t.lastIsDel;
  };
  for (const r of refs)
    if (!existsAfter(r.collection, r.id))
      return {
        code: 'E_VALIDATION',
        message: `${r.at}: field "${r.path}" fails ref(${r.collection}): no document ${r.collection}/${r.id}`,
      };

  const lengthProblem = seq.finish();
  if (lengthProblem !== null) return lengthProblem;

  for (const t of docs.values()) {
    if (t.lastIsDel) continue;
    const created = t.lastDel >= 0 || view.doc(t.c, t.d) === undefined;
    if (!created) continue;
    const written: (readonly string[])[] = [];
    for (let i = t.lastDel + 1; i < ops.length; i++) {
      const op = ops[i]!;
      if (op.k === 'set' && op.c === t.c && op.d === t.d) written.push(op.p);
    }
    const missing = missingRequired(schema.collection(t.c)!.fields, [], written);
    if (missing !== undefined)
      return {
        code: 'E_VALIDATION',
        message: `${t.c}/${t.d}: field "${missing}" fails required: not set by the change that creates the document`,
      };
  }
  return null;
}
