/**
 * The ChangeValidator that enforces a schema's validation rules and permission rules (ingest
 * steps 7-8), and re-judges earlier changes when a grant or revocation arrives late.
 *
 * Invariants:
 *  1. Validation (E_SCHEMA / E_VALIDATION) runs before permissions (E_PERMISSION); both look
 *     only at the change and its causal past, so the verdict is the same on every replica.
 *  2. When a stored change writes a membership doc, every change whose judgement consulted that
 *     doc and that is not in the new change's past is re-judged, in (height, hash) order; each
 *     flip re-judges what consulted the flipped change's membership docs in turn, until nothing
 *     changes. Only permission verdicts flip: validation and equivocation verdicts are final.
 */
import type { AuthorId, ChangeHash, DbId } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import type { DocOp } from '../change/op.ts';
import type { ChangeLog, LogEntry } from '../log/change-log.ts';
import { sortTopological } from '../log/change-log.ts';
import type { Materializer } from '../replica/materializer.ts';
import type { ChangeValidator, ReconsiderContext, ValidationContext, Verdict } from '../replica/validator.ts';
import type { AllowRules } from '../schema/rule-ast.ts';
import { CausalIndex } from './causal-index.ts';
import { AuthEvaluator } from './evaluator.ts';
import { PastView } from './past-view.ts';
import { docKey } from '../crdt/doc-state.ts';

/**
 * Checks ops against the schema version `schemaHash` names, at a causal past; null when they
 * validate.
 */
export type OpsValidator = (ops: readonly DocOp[], view: PastView, schemaHash: string | null) => Verdict;

/** Options for {@link RulesValidator}. */
export interface RulesValidatorOptions {
  /** collection → permission rules. */
  readonly rules: Readonly<Record<string, AllowRules | undefined>>;
  /** Schema hash carried by local changes. */
  readonly schemaHash: string | null;
  /** Schema validation (types, constraints, refs); omitted = no validation. */
  readonly validate?: OpsValidator;
  /** Which schema hashes can be judged; omitted = all. */
  readonly knowsSchema?: (hash: string | null) => boolean;
  /** Rewrites a change's ops for the current schema version (migrations). */
  readonly translate?: (sc: SignedChange) => readonly (DocOp | null)[] | undefined;
}

interface Bound {
  readonly log: ChangeLog;
  readonly state: Materializer;
  readonly causal: CausalIndex;
  readonly auth: AuthEvaluator;
  /** membership doc → changes whose judgement consulted it */
  readonly consultedBy: Map<string, Set<ChangeHash>>;
}

/** Enforces validation and permission rules. */
export class RulesValidator implements ChangeValidator {
  readonly schemaHash: string | null;
  private bound: Bound | undefined;
  private dbId: DbId | undefined;

  constructor(private readonly options: RulesValidatorOptions) {
    this.schemaHash = options.schemaHash;
  }

  knowsSchema(hash: string | null): boolean {
    return this.options.knowsSchema?.(hash) ?? true;
  }

  translate(sc: SignedChange): readonly (DocOp | null)[] | undefined {
    return this.options.translate?.(sc);
  }

  /** (Re)binds to a replica core; after a reload the log is a new object, so state is rebuilt. */
  private bind(ctx: ValidationContext): Bound {
    if (this.bound !== undefined && this.bound.log === ctx.log) return this.bound;
    this.dbId = ctx.dbId;
    const causal = new CausalIndex(ctx.log);
    const auth = new AuthEvaluator(this.options.rules, ctx.log, ctx.state, causal, () => this.root(ctx.log));
    const bound: Bound = { log: ctx.log, state: ctx.state, causal, auth, consultedBy: new Map() };
    this.bound = bound;
    // Cold start: index and re-judge what is stored, so later revocations find their dependents.
    for (const e of ctx.log.topological()) {
      auth.noteStored(e.sc);
      if (e.status === 'applied' || e.reason === 'E_PERMISSION') this.record(bound, e.sc);
    }
    return bound;
  }

  private root(log: ChangeLog): string | undefined {
    return this.dbId === undefined ? undefined : log.get(this.dbId as string as ChangeHash)?.sc.change.author;
  }

  private record(b: Bound, sc: SignedChange): { ok: boolean; message: string } {
    const j = b.auth.judge(sc);
    for (const key of j.consulted) {
      let set = b.consultedBy.get(key);
      if (set === undefined) b.consultedBy.set(key, (set = new Set()));
      set.add(sc.hash);
    }
    return j;
  }

  checkLocal(ops: readonly DocOp[], ctx: ValidationContext, author: string): Verdict {
    const b = this.bind(ctx);
    const deps = [...ctx.log.heads].sort();
    const seq = ctx.log.maxSeq(author as AuthorId) + 1;
    const view = new PastView({ author, seq, deps }, b.log, b.state, b.causal, foldFor(ops, ctx.preApplied));
    const invalid = this.options.validate?.(ops, view, this.schemaHash) ?? null;
    if (invalid !== null) return invalid;
    // Judge a stand-in with the deps and author the real change will have, so a forbidden
    // local write fails before anything is signed.
    const standIn = { hash: '', change: { author, deps, ops, seq } } as unknown as SignedChange;
    const j = b.auth.judge(standIn);
    return j.ok ? null : { code: 'E_PERMISSION', message: j.message };
  }

  check(sc: SignedChange, ctx: ValidationContext): Verdict {
    const b = this.bind(ctx);
    b.auth.noteStored(sc);
    if (sc.change.db === null) return null; // genesis: the root of authority
    const ops = sc.change.ops.filter((o) => o.k !== 'genesis') as DocOp[];
    const view = new PastView(sc.change, b.log, b.state, b.causal, foldFor(ops, ctx.preApplied));
    const invalid = this.options.validate?.(ops, view, sc.change.schema) ?? null;
    if (invalid !== null) return invalid;
    const j = this.record(b, sc);
    return j.ok ? null : { code: 'E_PERMISSION', message: j.message };
  }

  reconsider(sc: SignedChange, ctx: ReconsiderContext): void {
    const b = this.bind(ctx);
    if (!b.auth.touchesMemberships(sc)) return;
    const concurrent = concurrentWith(b.log, sc);
    if (concurrent.size === 0) return; // the common case: the author had seen everything
    const queued = new Map<ChangeHash, LogEntry>();
    const enqueue = (from: SignedChange, accept: (h: ChangeHash) => boolean): void => {
      for (const key of b.auth.membershipDocs(from))
        for (const h of b.consultedBy.get(key) ?? []) {
          if (h === from.hash || queued.has(h) || !accept(h)) continue;
          const e = b.log.get(h);
          if (e !== undefined) queued.set(h, e);
        }
    };
    // The newest change has no descendants: only what is concurrent with it can flip.
    enqueue(sc, (h) => concurrent.has(h));
    const budget = 100 * (queued.size + 10);
    let steps = 0;
    // Work through the queue in (height, hash) order; re-sort only when a flip adds work.
    let order = sortTopological([...queued.values()]);
    let at = 0;
    while (at < order.length && steps++ < budget) {
      const before = queued.size;
      const e = order[at++]!;
      queued.delete(e.sc.hash);
      if (e.status === 'rejected' && e.reason !== 'E_PERMISSION') continue;
      const ok = this.record(b, e.sc).ok;
      if (ok === (e.status === 'applied')) continue;
      ctx.flip(e.sc.hash, ok ? 'applied' : 'rejected', ok ? null : 'E_PERMISSION');
      // A flipped grant or revocation affects whatever is not in its own past.
      if (b.auth.touchesMemberships(e.sc)) {
        ctx.rebuildNow(b.auth.membershipDocs(e.sc));
        enqueue(e.sc, (h) => !b.log.isAncestorOfDeps(h, e.sc.change.deps));
      }
      if (queued.size >= before) {
        order = sortTopological([...queued.values()]);
        at = 0;
      }
    }
  }
}

/** Docs whose text/list state already holds this change's edits: the view folds them from history. */
function foldFor(ops: readonly DocOp[], preApplied: boolean | undefined): ReadonlySet<string> | undefined {
  if (preApplied !== true) return undefined;
  return new Set(ops.filter((op) => op.k === 'seq').map((op) => docKey(op.c, op.d)));
}

/**
 * Stored changes concurrent with `sc`, the newest stored change: those reachable from the other
 * heads but not from `sc`'s deps. Empty without a walk when `sc` depends on every other head.
 */
function concurrentWith(log: ChangeLog, sc: SignedChange): Set<ChangeHash> {
  const out = new Set<ChangeHash>();
  const stack = [...log.heads].filter((h) => h !== sc.hash);
  const seen = new Set<ChangeHash>();
  while (stack.length > 0) {
    const h = stack.pop()!;
    if (seen.has(h)) continue;
    seen.add(h);
    if (log.isAncestorOfDeps(h, sc.change.deps) || sc.change.deps.includes(h)) continue;
    out.add(h);
    for (const d of log.get(h)?.sc.change.deps ?? []) stack.push(d);
  }
  return out;
}
