/**
 * Document state derived from the valid changes of the log (ingest step 9's "apply").
 *
 * Invariants:
 *  1. The state of a doc is a function of the set of valid changes touching it (doc-state.ts),
 *     so applying incrementally and rebuilding from scratch give the same result.
 *  2. A doc is rebuilt, never patched, when a change touching it becomes invalid (equivocation,
 *     a late revocation): its valid changes are re-applied in (height, hash) order.
 *  3. Every doc whose visible value may have changed is recorded in the batch's touch set, with
 *     whether it was visible before the batch, so effects can be emitted after commit.
 */
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { toHex } from '../bytes.ts';
import { sha256 } from '../crypto/sha256.ts';
import type { CollectionName, DocId, ChangeHash } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import type { DocOp, Op } from '../change/op.ts';
import {
  applyDocOp,
  docKey,
  emptyDoc,
  materialize,
  type ApplyContext,
  type DocState,
  type SequenceHooks,
} from '../crdt/doc-state.ts';
import { sortTopological, type ChangeLog, type LogEntry } from '../log/change-log.ts';
import type { SeqLogs, SeqRecord } from './replica-store.ts';

/** One doc touched by a batch: its visibility before, and which fields changed. */
export interface Touch {
  readonly c: CollectionName;
  readonly d: DocId;
  readonly before: boolean;
  /** Field keys changed; `all` when the doc was cleared or rebuilt (persist every field). */
  fields: Set<string> | 'all';
  /**
   * The sequence ops applied in this batch, by field key, in order: what a field's op log
   * entry holds (replica-store.ts). Unused once `fields` is `all`.
   */
  seq?: Map<string, SeqRecord[]>;
}

/** Per-batch record of docs whose visible value may have changed. */
export type TouchSet = Map<string, Touch>;

/** First sequence element id of a change: ids are seq·2^20 + k. */
export const SEQ_ID_SPACE = 2 ** 20;

/**
 * Applies one op. A sequence op whose referenced elements belong to a rejected change fails
 * validation in the sequence CRDT before changing anything; it is then a no-op, alike on every
 * replica (sequence-hooks.ts, invariant 2).
 */
function applySafely(...args: Parameters<typeof applyDocOp>): string | null {
  try {
    return applyDocOp(...args);
  } catch (err) {
    if (err instanceof WeftError && args[1].k === 'seq') return null;
    throw err;
  }
}

/** Holds every document's CRDT state. */
export class Materializer {
  readonly docs = new Map<string, DocState>();
  /** doc key → hashes of changes with ops on it (any status; filtered on rebuild). */
  readonly docChanges = new Map<string, ChangeHash[]>();
  /** What storage holds of each sequence field's op log (replica-store.ts). */
  readonly seqLogs: SeqLogs = new WeakMap();
  /**
   * Snapshot hook (snapshot/): a fresh copy of a doc's state as of the replica's snapshot.
   * Rebuilds start from it and re-apply only changes the snapshot does not cover, because the
   * covered ones may have no body left to apply.
   */
  base: ((key: string) => DocState | undefined) | undefined = undefined;

  /** Rewrites a change's ops for the current schema version (migrations); see validator.ts. */
  translate: ((sc: SignedChange) => readonly (DocOp | null)[] | undefined) | undefined;

  constructor(
    private readonly log: ChangeLog,
    readonly seqHooks: SequenceHooks | undefined,
  ) {}

  private touch(touched: TouchSet, key: string, c: CollectionName, d: DocId): Touch {
    let t = touched.get(key);
    if (t === undefined)
      touched.set(key, (t = { c, d, before: this.docs.get(key)?.alive ?? false, fields: new Set() }));
    return t;
  }

  private doc(key: string, c: CollectionName, d: DocId): DocState {
    let doc = this.docs.get(key);
    if (doc === undefined) this.docs.set(key, (doc = emptyDoc(c, d)));
    return doc;
  }

  /** Indexes a stored change's docs (valid or not), so a later rebuild can find it. */
  index(sc: SignedChange): void {
    let last = '';
    for (const op of sc.change.ops) {
      if (op.k === 'genesis') continue;
      const key = docKey(op.c, op.d);
      if (key === last) continue;
      last = key;
      let list = this.docChanges.get(key);
      if (list === undefined) this.docChanges.set(key, (list = []));
      if (list[list.length - 1] !== sc.hash) list.push(sc.hash);
    }
  }

  /**
   * Visits every doc op of a change in order, as translated for the current schema version,
   * with the op's index, its first sequence element id and the apply context.
   */
  private walk(
    sc: SignedChange,
    visit: (op: DocOp, i: number, start: number, key: string, ctx: ApplyContext) => void,
  ): void {
    const { change, hash } = sc;
    const log = this.log;
    const ctx: ApplyContext = {
      hash,
      author: change.author,
      seq: change.seq,
      hlc: change.hlc,
      isAfter: (tomb: string) => log.isAncestorOfDeps(tomb as ChangeHash, change.deps),
    };
    let counter = change.seq * SEQ_ID_SPACE;
    const ops = change.ops;
    const translated = this.translated(sc);
    for (let i = 0; i < ops.length; i++) {
      const original = ops[i]!;
      if (original.k === 'genesis') continue;
      const start = counter;
      // Ids follow the op as signed, whatever a migration renamed since.
      if (original.k === 'seq' && this.seqHooks !== undefined) counter += this.seqHooks.insertCount(original.x);
      const op = translated === undefined ? original : translated[i];
      if (op === null || op === undefined || op.k === 'genesis') continue;
      visit(op, i, start, docKey(op.c, op.d), ctx);
    }
  }

  /** Applies every doc op of a valid change. */
  apply(sc: SignedChange, touched: TouchSet, onlyDoc?: string, preApplied = false): void {
    this.walk(sc, (op, i, start, key, ctx) => {
      if (onlyDoc !== undefined && key !== onlyDoc) return;
      const t = this.touch(touched, key, op.c, op.d);
      let field: string | null;
      if (op.k === 'seq' && preApplied) {
        // A local edit burst already changed the live sequence at typing time; just persist it.
        const doc = this.doc(key, op.c, op.d);
        doc.alive = true;
        field = `seq:${op.p.join('.')}`;
      } else field = applySafely(this.doc(key, op.c, op.d), op, i, ctx, start, this.seqHooks);
      if (field === '*') t.fields = 'all';
      else if (field !== null && t.fields !== 'all') {
        t.fields.add(field);
        if (op.k === 'seq') {
          const seq = (t.seq ??= new Map());
          let records = seq.get(field);
          if (records === undefined) seq.set(field, (records = []));
          records.push({ x: op.x, agent: ctx.author, start });
        }
      }
    });
  }

  /**
   * Applies a change's ops on one doc to a detached doc state (for views of the past: rule
   * evaluation folds a doc's history without touching the live state).
   */
  applyDetached(sc: SignedChange, key: string, doc: DocState): void {
    this.walk(sc, (op, i, start, k, ctx) => {
      if (k === key) applySafely(doc, op, i, ctx, start, this.seqHooks);
    });
  }

  /** The change's ops for the current schema version, aligned with `change.ops`, or undefined. */
  private translated(sc: SignedChange): readonly (Op | null)[] | undefined {
    const docOps = this.translate?.(sc);
    if (docOps === undefined) return undefined;
    let j = 0;
    return sc.change.ops.map((op) => (op.k === 'genesis' ? op : (docOps[j++] ?? null)));
  }

  /** Re-derives the given docs from their currently valid changes. */
  rebuild(keys: Iterable<string>, touched: TouchSet): void {
    for (const key of keys) {
      // A doc may not exist yet: a change rejected on arrival and restored later never made it.
      const slash = key.indexOf('/');
      const c = key.slice(0, slash) as CollectionName;
      const d = key.slice(slash + 1) as DocId;
      this.touch(touched, key, c, d).fields = 'all';
      this.docs.set(key, this.base?.(key) ?? emptyDoc(c, d));
      const entries: LogEntry[] = [];
      for (const h of this.docChanges.get(key) ?? []) {
        const e = this.log.get(h);
        if (e !== undefined && e.status === 'applied' && e.covered === undefined) entries.push(e);
      }
      for (const e of sortTopological(entries)) this.apply(e.sc, touched, key);
    }
  }

  /** Docs a change has ops on. */
  docsOf(sc: SignedChange): Set<string> {
    const out = new Set<string>();
    for (const op of sc.change.ops) if (op.k !== 'genesis') out.add(docKey(op.c, op.d));
    return out;
  }

  /** The visible value of one doc, or undefined. */
  get(c: string, d: string): Record<string, CanonicalValue> | undefined {
    const doc = this.docs.get(docKey(c, d));
    return doc === undefined ? undefined : materialize(doc, this.seqHooks);
  }

  /** Visible docs of a collection, sorted by id. */
  list(c: string): { id: DocId; value: Record<string, CanonicalValue> }[] {
    const out: { id: DocId; value: Record<string, CanonicalValue> }[] = [];
    for (const doc of this.docs.values()) {
      if (doc.c !== c || !doc.alive) continue;
      const value = materialize(doc, this.seqHooks);
      if (value !== undefined) out.push({ id: doc.d, value });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Canonical hash of every visible document: equal on replicas with the same valid changes. */
  stateHash(): string {
    const keys = [...this.docs.keys()].sort();
    const rows: CanonicalValue[] = [];
    for (const k of keys) {
      const doc = this.docs.get(k)!;
      const value = materialize(doc, this.seqHooks);
      if (value !== undefined) rows.push([doc.c, doc.d, value]);
    }
    return toHex(sha256(encode(rows)));
  }
}
