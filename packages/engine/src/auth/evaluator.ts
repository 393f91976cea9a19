/**
 * Judges a change against the permission rules, at its causal past, with revocation winning.
 *
 * Invariants:
 *  1. A change is judged only from its own causal past (PastView) plus the *valid* changes
 *     concurrent with it that revoke a membership it relies on: never from arrival order or
 *     wall-clock time. HLC values play no part.
 *  2. Revocation wins: a membership doc D supports change C only if no valid change concurrent
 *     with C deletes D or changes a field C's lookup matched on.
 *  3. Concurrent membership changes are ordered by priority P = (root key first, then hash): a
 *     concurrent revocation R is ignored for C when C itself writes memberships and
 *     P(C) < P(R). Each membership change can then only be undone by higher-priority ones, so
 *     cycles of revocations of any length (A revokes B revokes C revokes A) have one answer.
 *     P is structural on purpose: a priority derived from verdicts (e.g. the depth of the
 *     grants that currently support a change) can shift while verdicts are being settled, and
 *     then no unique answer exists.
 *  4. Every membership doc a judgement looked at is recorded (`consulted`), so when any of them
 *     changes, exactly the judgements that could flip are re-run (see auth-validator.ts).
 *  5. Fast path: when every stored change to a membership doc is in the judged change's causal
 *     past (the usual case), the membership state at that past is the live state and no
 *     concurrent revocation exists, so lookups read live docs. Deciding this needs only the few
 *     membership changes no other one descends from.
 */
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import type { ChangeHash } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import type { DocOp } from '../change/op.ts';
import { docKey } from '../crdt/doc-state.ts';
import type { ChangeLog, LogEntry } from '../log/change-log.ts';
import type { Materializer } from '../replica/materializer.ts';
import { ruleFor, type Action, type AllowRules, type Match, type Rule, type ValueExpr } from '../schema/rule-ast.ts';
import type { CausalIndex } from './causal-index.ts';
import { PastView, type FoldCache } from './past-view.ts';

/** The outcome of judging one change. */
export interface Judgement {
  readonly ok: boolean;
  readonly message: string;
  /** Membership docs whose presence allowed the change. */
  readonly support: ReadonlySet<string>;
  /** Every membership doc the judgement looked at. */
  readonly consulted: ReadonlySet<string>;
}

interface Env {
  readonly author: string;
  readonly c: string;
  readonly d: string;
  readonly action: Action;
  readonly before: Record<string, CanonicalValue> | undefined;
  readonly after: Record<string, CanonicalValue> | undefined;
  readonly depth: number;
}

const MAX_INHERIT_DEPTH = 4;
/** Depth given to authors whose change needed no membership (ordered after everyone else). */

function get(obj: Record<string, CanonicalValue> | undefined, path: string): CanonicalValue | undefined {
  let cur: CanonicalValue | undefined = obj;
  for (const seg of path.split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || cur instanceof Uint8Array) return undefined;
    cur = (cur as Record<string, CanonicalValue>)[seg];
  }
  return cur;
}

function same(a: CanonicalValue | undefined, b: CanonicalValue | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  return encode(a).join() === encode(b).join();
}

/** Overlays a change's LWW writes on a doc value, to see fields "after" the change. */
function overlay(
  base: Record<string, CanonicalValue> | undefined,
  ops: readonly DocOp[],
): Record<string, CanonicalValue> {
  const out: Record<string, CanonicalValue> = { ...(base ?? {}) };
  for (const op of ops) {
    if (op.k !== 'set') continue;
    let target = out;
    for (let i = 0; i < op.p.length - 1; i++) {
      const cur = target[op.p[i]!];
      const next: Record<string, CanonicalValue> =
        typeof cur === 'object' && cur !== null && !Array.isArray(cur) && !(cur instanceof Uint8Array)
          ? { ...(cur as Record<string, CanonicalValue>) }
          : {};
      target[op.p[i]!] = next;
      target = next;
    }
    target[op.p[op.p.length - 1]!] = op.v;
  }
  return out;
}

/** Rule evaluation for one replica's log and state. */
export class AuthEvaluator {
  /** Collections some `exists` rule looks into: writes to them are grants or revocations. */
  readonly memberships: ReadonlySet<string>;
  private readonly byCollection = new Map<string, Set<string>>();
  /** Stored changes to membership docs that no later stored one descends from (invariant 5). */
  private memberHeads: ChangeHash[] = [];
  /** Live membership doc values, keyed by doc, valid while its change list and verdicts stand. */
  private readonly live = new Map<
    string,
    { n: number; epoch: number; value: Record<string, CanonicalValue> | undefined }
  >();
  private readonly fieldIndex = new Map<string, Set<string>>();
  /** Folds of docs at a past, shared by every judgement (past-view.ts invariant 3). */
  private readonly folds: FoldCache = new Map();

  constructor(
    private readonly rules: Readonly<Record<string, AllowRules | undefined>>,
    private readonly log: ChangeLog,
    private readonly state: Materializer,
    private readonly causal: CausalIndex,
    private readonly root: () => string | undefined,
  ) {
    const m = new Set<string>();
    const walk = (r: Rule | undefined): void => {
      if (r === undefined) return;
      if (r.r === 'and' || r.r === 'or') r.of.forEach(walk);
      else if (r.r === 'not') walk(r.of);
      else if (r.r === 'exists') m.add(r.collection);
    };
    for (const a of Object.values(rules)) if (a) [a.create, a.update, a.delete, a.write].forEach(walk);
    this.memberships = m;
  }

  /** True when the change writes into a membership collection (a potential grant or revocation). */
  touchesMemberships(sc: SignedChange): boolean {
    return sc.change.ops.some((op) => op.k !== 'genesis' && this.memberships.has(op.c));
  }

  /** Membership docs the change writes to. */
  membershipDocs(sc: SignedChange): string[] {
    const out = new Set<string>();
    for (const op of sc.change.ops) if (op.k !== 'genesis' && this.memberships.has(op.c)) out.add(docKey(op.c, op.d));
    return [...out];
  }

  /** Judges every doc op of `sc` against the rules at its causal past. */
  judge(sc: SignedChange): Judgement {
    const { change } = sc;
    const view = new PastView(change, this.log, this.state, this.causal, undefined, this.folds);
    const support = new Set<string>();
    const consulted = new Set<string>();
    const byDoc = new Map<string, DocOp[]>();
    for (const op of change.ops) {
      if (op.k === 'genesis') continue;
      const k = docKey(op.c, op.d);
      const list = byDoc.get(k);
      if (list === undefined) byDoc.set(k, [op]);
      else list.push(op);
    }
    for (const ops of byDoc.values()) {
      const { c, d } = ops[0]!;
      const before = view.doc(c, d);
      const deletes = ops.some((op) => op.k === 'del');
      const action: Action = deletes ? 'delete' : before === undefined ? 'create' : 'update';
      const env: Env = {
        author: change.author,
        c,
        d,
        action,
        before,
        after: deletes ? before : overlay(before, ops),
        depth: 0,
      };
      if (!this.evaluate(ruleFor(this.rules[c], action), env, sc, view, support, consulted))
        return { ok: false, message: `${change.author.slice(0, 8)} may not ${action} ${c}/${d}`, support, consulted };
    }
    return { ok: true, message: '', support, consulted };
  }

  private evaluate(
    rule: Rule,
    env: Env,
    sc: SignedChange,
    view: PastView,
    support: Set<string>,
    consulted: Set<string>,
  ): boolean {
    switch (rule.r) {
      case 'allow':
        return true;
      case 'deny':
        return false;
      case 'and':
        return rule.of.every((r) => this.evaluate(r, env, sc, view, support, consulted));
      case 'or':
        return rule.of.some((r) => this.evaluate(r, env, sc, view, support, consulted));
      case 'not':
        return !this.evaluate(rule.of, env, sc, view, new Set(), consulted);
      case 'isRoot':
        return env.author === this.root();
      case 'isCreator':
        return env.action === 'create' || view.creator(env.c, env.d)?.sc.change.author === env.author;
      case 'eq':
        return same(this.value(rule.a, env), this.value(rule.b, env));
      case 'exists':
        return this.exists(rule.collection, rule.where, env, sc, view, support, consulted);
      case 'can': {
        if (env.depth >= MAX_INHERIT_DEPTH) return false;
        const target = get(env.after ?? env.before, rule.field);
        if (typeof target !== 'string') return false;
        const doc = view.doc(rule.collection, target);
        if (doc === undefined) return false;
        const inner: Env = {
          author: env.author,
          c: rule.collection,
          d: target,
          action: rule.action,
          before: doc,
          after: doc,
          depth: env.depth + 1,
        };
        return this.evaluate(ruleFor(this.rules[rule.collection], rule.action), inner, sc, view, support, consulted);
      }
    }
  }

  private value(e: ValueExpr, env: Env): CanonicalValue | undefined {
    switch (e.v) {
      case 'author':
        return env.author;
      case 'docId':
        return env.d;
      case 'field':
        return get(env.after ?? env.before, e.path);
      case 'oldField':
        return get(env.before, e.path);
      case 'const':
        return e.value;
    }
  }

  private matches(doc: Record<string, CanonicalValue>, where: Readonly<Record<string, Match>>, env: Env): boolean {
    for (const [field, m] of Object.entries(where)) {
      const actual = get(doc, field);
      if ('in' in m) {
        if (!m.in.some((x) => same(x, actual))) return false;
      } else if (!same(this.value(m, env), actual)) return false;
    }
    return true;
  }

  private exists(
    collection: string,
    where: Readonly<Record<string, Match>>,
    env: Env,
    sc: SignedChange,
    view: PastView,
    support: Set<string>,
    consulted: Set<string>,
  ): boolean {
    const settled = this.memberHeads.every((h) => h !== sc.hash && view.inPast(h));
    for (const key of this.candidates(collection, where, env)) {
      const d = key.slice(collection.length + 1);
      // Recorded even when it doesn't match now: a verdict flip elsewhere (a restored grant)
      // can make it match, and then this judgement must be re-run (invariant 4).
      consulted.add(key);
      if (settled) {
        // Invariant 5: the past's membership state is the live one, and nothing can revoke.
        const doc = this.liveDoc(key);
        if (doc === undefined || !this.matches(doc, where, env)) continue;
        support.add(key);
        return true;
      }
      const doc = view.doc(collection, d);
      if (doc === undefined || !this.matches(doc, where, env)) continue;
      if (this.revokedFor(key, Object.keys(where), sc, view)) continue;
      support.add(key);
      return true;
    }
    return false;
  }

  /** Records a stored change's membership writes in the lookup index. */
  noteStored(sc: SignedChange): void {
    if (this.touchesMemberships(sc)) {
      const self = sc.change;
      this.memberHeads = this.memberHeads.filter((h) => !this.causal.inPastOfDeps(h, self.deps, self));
      this.memberHeads.push(sc.hash);
    }
    for (const op of sc.change.ops) {
      if (op.k === 'genesis' || !this.memberships.has(op.c)) continue;
      const key = docKey(op.c, op.d);
      let all = this.byCollection.get(op.c);
      if (all === undefined) this.byCollection.set(op.c, (all = new Set()));
      all.add(key);
      if (op.k !== 'set' || op.p.length !== 1) continue;
      const idx = `${op.c}|${op.p[0]}|${valueKey(op.v)}`;
      let set = this.fieldIndex.get(idx);
      if (set === undefined) this.fieldIndex.set(idx, (set = new Set()));
      set.add(key);
    }
  }

  private liveDoc(key: string): Record<string, CanonicalValue> | undefined {
    const touching = this.state.docChanges.get(key) ?? [];
    const n = touching.length;
    const hit = this.live.get(key);
    if (hit !== undefined && hit.n === n && this.causal.unchangedSince(touching, hit.epoch)) {
      hit.epoch = this.log.statusEpoch;
      return hit.value;
    }
    const i = key.indexOf('/');
    const value = this.state.get(key.slice(0, i), key.slice(i + 1));
    this.live.set(key, { n, epoch: this.log.statusEpoch, value });
    return value;
  }

  /**
   * Docs of `collection` that could match: every doc whose field ever held the value a
   * condition asks for (the index keeps history, so a view of the past finds it too).
   */
  private candidates(collection: string, where: Readonly<Record<string, Match>>, env: Env): string[] {
    for (const [field, m] of Object.entries(where)) {
      if ('in' in m || field.includes('.')) continue;
      const v = this.value(m, env);
      if (v === undefined) return [];
      return [...(this.fieldIndex.get(`${collection}|${field}|${valueKey(v)}`) ?? [])].sort();
    }
    return [...(this.byCollection.get(collection) ?? [])].sort();
  }

  /** Invariants 2-3: a valid concurrent change deleting the doc or changing a matched field. */
  private revokedFor(key: string, fields: readonly string[], sc: SignedChange, view: PastView): boolean {
    for (const r of view.notInPast(key)) {
      if (r.sc.hash === sc.hash) continue;
      if (this.log.has(sc.hash) && this.causal.inPast(sc.hash, r.sc.hash)) continue; // r is after sc
      if (!revokes(r, key, fields)) continue;
      if (this.winsOver(sc, r)) continue;
      return true;
    }
    return false;
  }

  /** True when `sc` writes memberships and has the higher priority (invariant 3). */
  private winsOver(sc: SignedChange, r: LogEntry): boolean {
    if (!this.touchesMemberships(sc)) return false;
    const root = this.root();
    const pc = sc.change.author === root ? 0 : 1;
    const pr = r.sc.change.author === root ? 0 : 1;
    return pc < pr || (pc === pr && sc.hash < r.sc.hash);
  }
}

function valueKey(v: CanonicalValue): string {
  return typeof v === 'string' ? `s${v}` : `x${encode(v).join(',')}`;
}

function revokes(r: LogEntry, key: string, fields: readonly string[]): boolean {
  for (const op of r.sc.change.ops) {
    if (op.k === 'genesis' || docKey(op.c, op.d) !== key) continue;
    if (op.k === 'del') return true;
    if (op.k === 'set' && fields.includes(op.p[0]!)) return true;
  }
  return false;
}
