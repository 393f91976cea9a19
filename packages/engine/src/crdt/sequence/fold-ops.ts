/**
 * Folding consecutive ops of one burst into fewer ops: typing "abc" as three inserts becomes one
 * insert of "abc", and a run of backspaces becomes one delete. A folded op applies exactly like
 * the ops it replaces (same ids: the engine numbers a change's inserted elements in op order),
 * so folding only shrinks the signed change.
 */
import { DELETE, type DeleteOp, INSERT, type InsertOp, type IdRef, RefTable, type SeqOp, insertCount } from './op.ts';

function agentOf(op: readonly unknown[], tableStart: number, ref: number, own: string): string {
  return ref === 0 ? own : (op[tableStart + ref - 1] as string);
}

function sameRef(a: IdRef | null, opA: SeqOp, b: IdRef | null, opB: SeqOp, own: string): boolean {
  if (a === null || b === null) return a === b;
  return a[1] === b[1] && agentOf(opA, 4, a[0], own) === agentOf(opB, 4, b[0], own);
}

/**
 * `prev` followed by `next` as one op, or null when they do not fold. `prevStart` is the counter
 * of prev's first inserted element; next's elements are assumed to follow prev's directly.
 */
export function fold(prev: SeqOp, next: SeqOp, prevStart: number, own: string): SeqOp | null {
  if (prev[0] === INSERT && next[0] === INSERT) return foldInsert(prev, next, prevStart, own);
  if (prev[0] === DELETE && next[0] === DELETE) return foldDelete(prev, next, own);
  return null;
}

function foldInsert(prev: InsertOp, next: InsertOp, prevStart: number, own: string): InsertOp | null {
  const last = prevStart + insertCount(prev) - 1;
  const l = next[1];
  // next must continue right after prev's last element, towards the same right origin.
  if (l === null || l[0] !== 0 || l[1] !== last || !sameRef(prev[2], prev, next[2], next, own)) return null;
  const a = prev[3];
  const b = next[3];
  if (typeof a === 'string' && typeof b === 'string') return [INSERT, prev[1], prev[2], a + b, ...agents(prev, 4)];
  if (typeof a !== 'string' && typeof b !== 'string')
    return [INSERT, prev[1], prev[2], [...a, ...b], ...agents(prev, 4)];
  return null;
}

function foldDelete(prev: DeleteOp, next: DeleteOp, own: string): DeleteOp {
  const refs = new RefTable(own);
  const d: number[] = [];
  for (const op of [prev, next]) {
    const ids = op[1];
    for (let i = 0; i < ids.length; i += 3) {
      const ref = refs.ref(agentOf(op, 2, ids[i]!, own));
      const c = ids[i + 1]!;
      const len = ids[i + 2]!;
      const j = d.length - 3;
      if (j >= 0 && d[j] === ref && d[j + 1]! + d[j + 2]! === c) d[j + 2]! += len;
      else if (j >= 0 && d[j] === ref && c + len === d[j + 1]) {
        // Backspacing deletes ids right to left.
        d[j + 1] = c;
        d[j + 2]! += len;
      } else d.push(ref, c, len);
    }
  }
  return [DELETE, d, ...refs.names];
}

function agents(op: SeqOp, from: number): string[] {
  return op.slice(from) as string[];
}
