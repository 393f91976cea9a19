/**
 * Document state as of a change's causal past, for rule evaluation (DESIGN §4: a write is
 * judged against the state at its causal past, never against arrival order or wall time).
 *
 * Invariants:
 *  1. The view of doc K for change C folds exactly the *valid* changes touching K that are in
 *     past(C), in (height, hash) order, so it is the same on every replica once verdicts agree.
 *  2. Fast path: when every valid change touching K is in past(C) (the common, sequential case),
 *     the live materialized doc is that fold already.
 *  3. A fold is a function of the exact list of changes folded, so a {@link FoldCache} shared
 *     by many views reuses it for every view whose past holds the same valid changes of K (a
 *     late revocation re-judges thousands of changes with the same membership past).
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { ChangeHash, CollectionName, DocId } from '../ids.ts';
import { docKey, emptyDoc, materialize, type DocState } from '../crdt/doc-state.ts';
import { sortTopological, type ChangeLog, type LogEntry } from '../log/change-log.ts';
import type { Materializer } from '../replica/materializer.ts';
import type { CausalIndex } from './causal-index.ts';

/** The last fold per doc, keyed by the changes it folded (invariant 3); never mutated. */
export type FoldCache = Map<string, { readonly changes: string; readonly doc: DocState }>;

/** A read-only view of the state at one change's causal past. */
export class PastView {
  private readonly cache = new Map<string, DocState>();

  constructor(
    private readonly self: { readonly author: string; readonly seq: number; readonly deps: readonly ChangeHash[] },
    private readonly log: ChangeLog,
    private readonly state: Materializer,
    private readonly causal: CausalIndex,
    /** Docs never to read live (their live state holds the judged change's own edits). */
    private readonly fold?: ReadonlySet<string>,
    private readonly folds?: FoldCache,
  ) {}

  /** Valid changes touching `key` that are in the causal past. */
  history(key: string): LogEntry[] {
    const out: LogEntry[] = [];
    for (const h of this.state.docChanges.get(key) ?? []) {
      const e = this.log.get(h);
      if (e !== undefined && e.status === 'applied' && this.causal.inPastOfDeps(h, this.self.deps, this.self))
        out.push(e);
    }
    return out;
  }

  /** True when stored change `h` is in the causal past. */
  inPast(h: ChangeHash): boolean {
    return this.causal.inPastOfDeps(h, this.self.deps, this.self);
  }

  /** True when every valid change touching `key` is in the causal past (invariant 2). */
  private allInPast(key: string): boolean {
    const heads = this.causal.docHeads(key, this.state.docChanges.get(key) ?? []);
    return heads.every((h) => this.causal.inPastOfDeps(h, this.self.deps, this.self));
  }

  /** Valid changes touching `key` that are *not* in the causal past. */
  notInPast(key: string): LogEntry[] {
    if (this.allInPast(key)) return [];
    const out: LogEntry[] = [];
    for (const h of this.state.docChanges.get(key) ?? []) {
      const e = this.log.get(h);
      if (e !== undefined && e.status === 'applied' && !this.causal.inPastOfDeps(h, this.self.deps, this.self))
        out.push(e);
    }
    return out;
  }

  /** The CRDT state of a doc at the causal past. */
  docState(c: string, d: string): DocState {
    const key = docKey(c, d);
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit;
    let doc: DocState;
    if (this.state.docs.has(key) && this.fold?.has(key) !== true && this.allInPast(key))
      doc = this.state.docs.get(key)!;
    else {
      const history = sortTopological(this.history(key));
      const changes = history.map((e) => e.sc.hash).join();
      const shared = this.folds?.get(key);
      if (shared !== undefined && shared.changes === changes) doc = shared.doc;
      else {
        doc = emptyDoc(c as CollectionName, d as DocId);
        for (const e of history) this.state.applyDetached(e.sc, key, doc);
        this.folds?.set(key, { changes, doc });
      }
    }
    this.cache.set(key, doc);
    return doc;
  }

  /** The visible value of a doc at the causal past, or undefined. */
  doc(c: string, d: string): Record<string, CanonicalValue> | undefined {
    return materialize(this.docState(c, d), this.state.seqHooks);
  }

  /** The first valid change that wrote the doc (its creator), within the causal past. */
  creator(c: string, d: string): LogEntry | undefined {
    const key = docKey(c, d);
    // The doc's earliest valid change overall, when it is in the past, is the earliest there too.
    const first = this.causal.firstValid(key, this.state.docChanges.get(key) ?? []);
    if (first !== undefined && this.causal.inPastOfDeps(first.sc.hash, this.self.deps, this.self)) return first;
    return sortTopological(this.history(key))[0];
  }
}
