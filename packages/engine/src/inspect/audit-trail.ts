/**
 * The `audit` request: who changed which field of a document, when, through which change.
 *
 * Entries follow the deterministic topological order (height, hash), oldest first, and list
 * every op on the document, rejected ones included with their status. A text or list edit's
 * value is the field's whole value right after its change, folded from the valid changes so
 * far in that order (an edit's raw payload means nothing to a reader).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { docKey, emptyDoc, type SeqField } from '../crdt/doc-state.ts';
import type { CollectionName, DocId } from '../ids.ts';
import { sortTopological, type LogEntry } from '../log/change-log.ts';
import type { Replica } from '../replica/replica.ts';
import type { AuditEntry, AuditRequest, AuditResponse } from './inspect-protocol.ts';
import { statusOf } from './log-index.ts';
import { summarizeOp } from './op-summary.ts';

/** Answers an `audit` request. */
export function inspectAudit(replica: Replica, req: AuditRequest): AuditResponse {
  const { log, state } = replica.internals;
  const key = docKey(req.collection, req.id);
  const entries: LogEntry[] = [];
  for (const h of state.docChanges.get(key) ?? []) {
    const e = log.get(h);
    if (e !== undefined && e.covered !== 'pruned') entries.push(e);
  }
  const doc = emptyDoc(req.collection as CollectionName, req.id as DocId);
  const out: AuditEntry[] = [];
  for (const e of sortTopological(entries)) {
    const applied = e.status === 'applied' && e.covered === undefined;
    if (applied) state.applyDetached(e.sc, key, doc);
    const c = e.sc.change;
    c.ops.forEach((op, i) => {
      if (op.k === 'genesis' || op.c !== req.collection || op.d !== req.id) return;
      const s = summarizeOp(op, i);
      let value: CanonicalValue | undefined = s.value;
      if (op.k === 'seq') {
        const f = doc.f[`seq:${s.field}`] as SeqField | undefined;
        value = applied && f !== undefined && state.seqHooks !== undefined ? state.seqHooks.value(f.state) : undefined;
      }
      out.push({
        hash: e.sc.hash,
        author: c.author,
        seq: c.seq,
        hlc: c.hlc,
        field: s.field ?? '*',
        op: s.kind,
        ...(value === undefined ? {} : { value }),
        status: statusOf(e),
        reason: e.reason,
      });
    });
  }
  const offset = req.offset ?? 0;
  return { total: out.length, entries: out.slice(offset, offset + (req.limit ?? 1000)) };
}
