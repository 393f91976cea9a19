/**
 * The reference evaluator: a deliberately simple oracle that recomputes every change's validity
 * from scratch. It shares no code with auth/ (no CausalIndex, PastView or incremental
 * re-judging): causal pasts are explicit sets, document states are replayed from the valid
 * changes in each past, and verdicts are iterated over one topological order until they stop
 * changing. It understands the rule shapes the tests use (allow/deny/and/or/not, isRoot,
 * exists with author/const/`in` matches).
 */
import { emptyDoc, materialize, applyDocOp, docKey, type DocState } from '../crdt/doc-state.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { SignedChange } from '../change/change.ts';
import type { ChangeHash, CollectionName, DocId } from '../ids.ts';
import type { AllowRules, Match, Rule } from '../schema/rule-ast.ts';
import { ruleFor } from '../schema/rule-ast.ts';

/** The oracle's verdicts: hash → valid. */
export type OracleVerdicts = Map<ChangeHash, boolean>;

export function oracle(all: readonly SignedChange[], rules: Record<string, AllowRules>, root: string): OracleVerdicts {
  const byHash = new Map(all.map((sc) => [sc.hash, sc]));
  const past = new Map<ChangeHash, Set<ChangeHash>>();
  const height = new Map<ChangeHash, number>();
  const pastOf = (h: ChangeHash): Set<ChangeHash> => {
    const hit = past.get(h);
    if (hit) return hit;
    const out = new Set<ChangeHash>();
    let ht = 0;
    for (const d of byHash.get(h)!.change.deps) {
      out.add(d);
      for (const x of pastOf(d)) out.add(x);
      ht = Math.max(ht, height.get(d)! + 1);
    }
    past.set(h, out);
    height.set(h, ht);
    return out;
  };
  for (const sc of all) pastOf(sc.hash);
  const order = [...all].sort((a, b) => height.get(a.hash)! - height.get(b.hash)! || (a.hash < b.hash ? -1 : 1));
  const memberships = new Set<string>();
  const walk = (r: Rule | undefined): void => {
    if (!r) return;
    if (r.r === 'and' || r.r === 'or') r.of.forEach(walk);
    else if (r.r === 'not') walk(r.of);
    else if (r.r === 'exists') memberships.add(r.collection);
  };
  for (const a of Object.values(rules)) [a.create, a.update, a.delete, a.write].forEach(walk);

  // Per doc: the changes with ops on it, in topological order (a lookup table, nothing clever).
  const byDoc = new Map<string, SignedChange[]>();
  for (const sc of order)
    for (const op of sc.change.ops) {
      if (op.k === 'genesis') continue;
      const list = byDoc.get(docKey(op.c, op.d)) ?? [];
      if (list[list.length - 1] !== sc) list.push(sc);
      byDoc.set(docKey(op.c, op.d), list);
    }
  const docsIn = (collection: string) => [...byDoc.keys()].filter((k) => k.startsWith(collection + '/')).sort();

  const valid: OracleVerdicts = new Map(all.map((sc) => [sc.hash, true]));

  /** Replays doc `key` from the valid changes in `set`, in topological order. */
  const docAt = (key: string, set: Set<ChangeHash>): Record<string, CanonicalValue> | undefined => {
    const [c, d] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    const doc: DocState = emptyDoc(c as CollectionName, d as DocId);
    for (const sc of byDoc.get(key) ?? []) {
      if (!set.has(sc.hash) || !valid.get(sc.hash)) continue;
      sc.change.ops.forEach((op, i) => {
        if (op.k === 'genesis' || docKey(op.c, op.d) !== key) return;
        const ctx = {
          hash: sc.hash,
          author: sc.change.author,
          seq: sc.change.seq,
          hlc: sc.change.hlc,
          isAfter: (t: string) => pastOf(sc.hash).has(t as ChangeHash),
        };
        applyDocOp(doc, op, i, ctx, 0, undefined);
      });
    }
    return materialize(doc);
  };

  const judge = (sc: SignedChange): boolean => {
    const p = pastOf(sc.hash);
    const docs = new Map<string, SignedChange['change']['ops'][number][]>();
    for (const op of sc.change.ops)
      if (op.k !== 'genesis') docs.set(docKey(op.c, op.d), [...(docs.get(docKey(op.c, op.d)) ?? []), op]);
    if (sc.change.db === null) {
      return true;
    }
    for (const [key, ops] of docs) {
      const c = key.slice(0, key.indexOf('/'));
      const before = docAt(key, p);
      const action = ops.some((o) => o.k === 'del') ? 'delete' : before === undefined ? 'create' : 'update';
      const exists = (collection: string, where: Readonly<Record<string, Match>>): boolean => {
        for (const k of docsIn(collection)) {
          const doc = docAt(k, p);
          if (!doc) continue;
          const ok = Object.entries(where).every(([f, m]) =>
            'in' in m
              ? m.in.includes(doc[f] as string)
              : m.v === 'author'
                ? doc[f] === sc.change.author
                : m.v === 'const'
                  ? doc[f] === m.value
                  : false,
          );
          if (!ok) continue;
          const revoked = (byDoc.get(k) ?? []).some((r) => {
            if (!valid.get(r.hash) || r.hash === sc.hash || p.has(r.hash) || pastOf(r.hash).has(sc.hash)) return false;
            const revokesIt = r.change.ops.some(
              (op) =>
                op.k !== 'genesis' &&
                docKey(op.c, op.d) === k &&
                (op.k === 'del' || (op.k === 'set' && op.p[0]! in where)),
            );
            if (!revokesIt) return false;
            const writesMemberships = sc.change.ops.some((op) => op.k !== 'genesis' && memberships.has(op.c));
            const mine = sc.change.author === root ? 0 : 1;
            const theirs = r.change.author === root ? 0 : 1;
            const iWin = writesMemberships && (mine < theirs || (mine === theirs && sc.hash < r.hash));
            return !iWin;
          });
          if (revoked) continue;
          return true;
        }
        return false;
      };
      const evalRule = (r: Rule): boolean => {
        switch (r.r) {
          case 'allow':
            return true;
          case 'deny':
            return false;
          case 'and':
            return r.of.every(evalRule);
          case 'or':
            return r.of.some(evalRule);
          case 'not':
            return !evalRule(r.of);
          case 'isRoot':
            return sc.change.author === root;
          case 'exists':
            return exists(r.collection, r.where);
          default:
            throw new Error(`oracle does not model rule ${r.r}`);
        }
      };
      if (!evalRule(ruleFor(rules[c], action))) return false;
    }
    return true;
  };

  for (let pass = 0; pass < 50; pass++) {
    let changed = false;
    for (const sc of order) {
      const v = judge(sc);
      if (v !== valid.get(sc.hash)) {
        valid.set(sc.hash, v);
        changed = true;
      }
    }
    if (!changed) return valid;
  }
  throw new Error('oracle did not reach a fixpoint');
}
