/**
 * The `why` request: for a field, the op that won and the concurrent ops it beat.
 *
 * Only last-writer-wins fields have a single winner: the op with the greatest stamp (HLC, then
 * author key, change hash, op index; crdt/stamp.ts). An op it *beat* is a valid `set` on the
 * same field whose change is concurrent with the winner's (neither is in the other's causal
 * past) and whose stamp is lower. Ops causally before the winner were overwritten, not beaten.
 */
import { docKey, type FieldState } from '../crdt/doc-state.ts';
import { compareStamp, stampOf } from '../crdt/stamp.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';
import type { Replica } from '../replica/replica.ts';
import { docEntries } from './doc-history.ts';
import type { WhyOp, WhyRequest, WhyResponse } from './inspect-protocol.ts';

const KINDS = [
  ['lww', 'lww'],
  ['ctr', 'counter'],
  ['set', 'set'],
  ['seq', 'sequence'],
] as const;

/** Answers a `why` request. */
export function inspectWhy(replica: Replica, req: WhyRequest): WhyResponse {
  const { log } = replica.internals;
  const doc = replica.docState(req.collection, req.id);
  let field: FieldState | undefined;
  let kind: WhyResponse['kind'] = 'none';
  for (const [prefix, name] of KINDS) {
    field = doc?.f[`${prefix}:${req.field}`];
    if (field !== undefined) {
      kind = name;
      break;
    }
  }
  if (field === undefined || field.t !== 'lww' || doc === undefined || !doc.alive)
    return { kind, winner: null, beaten: [] };
  const s = field.s;
  const winner: WhyOp = {
    hash: s.hash as ChangeHash,
    author: s.author as AuthorId,
    hlc: { ms: s.ms, c: s.c },
    value: field.v,
    op: s.i,
  };
  const winnerEntry = log.get(winner.hash);
  if (winnerEntry === undefined) return { kind, winner, beaten: [] };
  const winnerDeps = winnerEntry.sc.change.deps;
  const beaten: { op: WhyOp; stamp: ReturnType<typeof stampOf> }[] = [];
  for (const e of docEntries(replica, docKey(req.collection, req.id), (h) => h !== winner.hash)) {
    const c = e.sc.change;
    const concurrent = !log.isAncestorOfDeps(e.sc.hash, winnerDeps) && !log.isAncestorOfDeps(winner.hash, c.deps);
    if (!concurrent) continue;
    c.ops.forEach((op, i) => {
      if (op.k !== 'set' || op.c !== req.collection || op.d !== req.id || op.p.join('.') !== req.field) return;
      const stamp = stampOf(c.hlc, c.author, e.sc.hash, i);
      if (compareStamp(stamp, s) >= 0) return;
      beaten.push({ op: { hash: e.sc.hash, author: c.author, hlc: c.hlc, value: op.v, op: i }, stamp });
    });
  }
  beaten.sort((a, b) => compareStamp(b.stamp, a.stamp));
  return { kind, winner, beaten: beaten.map((b) => b.op) };
}
