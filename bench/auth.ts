/**
 * `npm run bench -- auth`: a fresh replica ingests 100,000 membership changes (grants,
 * revocations and re-grants among 1,000 users) plus 100,000 permission-checked writes; then a
 * revocation that arrives late invalidates 10,000 already-applied changes. Rule evaluation is
 * timed by wrapping the validator, so the figure is what rules add on top of signature checks.
 */
import {
  createReplica,
  generateIdentity,
  signChange,
  type Change,
  type ChangeHash,
  type DocOp,
  type Identity,
  type SignedChange,
} from '@weft/engine';
import { RulesValidator } from '../packages/engine/src/auth/rules-validator.ts';
import { rules } from '../packages/engine/src/schema/rule-ast.ts';
import { printTable } from './report.ts';

const RULES = {
  members: { write: rules.isRoot() },
  notes: { write: rules.hasRole('members', ['editor', 'owner']) },
};

/** Signs a linear history: every change depends on the previous one (and its author's own). */
class Chain {
  head: ChangeHash;
  private readonly seqs = new Map<string, { seq: number; hash: ChangeHash }>();
  ms = Date.now();
  readonly out: SignedChange[] = [];
  constructor(
    readonly dbId: string,
    genesis: SignedChange,
  ) {
    this.head = genesis.hash;
    this.seqs.set(genesis.change.author, { seq: 1, hash: genesis.hash });
  }
  async add(who: Identity, ops: DocOp[], deps?: ChangeHash[]): Promise<SignedChange> {
    const prev = this.seqs.get(who.author);
    const d = [...new Set([...(deps ?? [this.head]), ...(prev ? [prev.hash] : [])])].sort();
    const change = {
      v: 1,
      db: this.dbId,
      author: who.author,
      seq: (prev?.seq ?? 0) + 1,
      deps: d as ChangeHash[],
      hlc: { ms: this.ms++, c: 0 },
      schema: null,
      ops,
    } as unknown as Change;
    const sc = await signChange(who, change);
    this.seqs.set(who.author, { seq: change.seq, hash: sc.hash });
    if (deps === undefined) this.head = sc.hash;
    this.out.push(sc);
    return sc;
  }
}

const set = (c: string, d: string, fields: Record<string, string>): DocOp[] =>
  Object.entries(fields).map(([p, v]) => ({ k: 'set', c, d, p: [p], v }) as unknown as DocOp);

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const scale = Number(args[args.indexOf('--scale') + 1] || 1);
  const USERS = Math.round(1000 * scale);
  const MEMBERSHIP = Math.round(100_000 * scale);
  const WRITES = Math.round(100_000 * scale);
  const LATE = Math.round(10_000 * scale);
  const root = await generateIdentity();
  const users: Identity[] = [];
  for (let i = 0; i < USERS; i++) users.push(await generateIdentity());
  const seed = await createReplica({ identity: root, create: { name: 'auth-bench' } });
  const genesis = seed.changes()[0]!.sc;
  const chain = new Chain(seed.dbId, genesis);
  // Membership churn interleaved with writes by whoever is a member at that point.
  const member = new Map<number, number>(); // user → current grant doc number
  let grantDocs = 0;
  let m = 0;
  let w = 0;
  let i = 0;
  while (m < MEMBERSHIP || w < WRITES) {
    if (m < MEMBERSHIP && (w >= WRITES || i % 2 === 0)) {
      const u = (m * 7919) % USERS;
      const cur = member.get(u);
      if (cur === undefined) {
        member.set(u, grantDocs);
        await chain.add(root, set('members', `m${grantDocs++}`, { user: users[u]!.author, role: 'editor' }));
      } else if (m % 3 === 0) {
        member.delete(u);
        await chain.add(root, [{ k: 'del', c: 'members', d: `m${cur}` } as unknown as DocOp]);
      } else await chain.add(root, set('members', `m${cur}`, { role: m % 2 ? 'owner' : 'editor' }));
      m++;
    } else {
      const members = [...member.keys()];
      const u = members[(w * 31) % members.length]!;
      await chain.add(users[u]!, set('notes', `n${u}-${w % 10}`, { text: `w${w}` }));
      w++;
    }
    i++;
  }
  // The late revocation: one member writes LATE changes while, concurrently, root revokes them.
  const victim = users[[...member.keys()][0]!]!;
  const fork = chain.head;
  const lateWrites: SignedChange[] = [];
  for (let k = 0; k < LATE; k++)
    lateWrites.push(await chain.add(victim, set('notes', `late-${k % 100}`, { text: `l${k}` })));
  const revocation = await chain.add(
    root,
    [{ k: 'del', c: 'members', d: `m${member.get(users.indexOf(victim))}` } as unknown as DocOp],
    [fork],
  );
  void lateWrites;

  const validator = new RulesValidator({ rules: RULES, schemaHash: null });
  let ruleMs = 0;
  const check = validator.check.bind(validator);
  validator.check = (sc, ctx) => {
    const t = performance.now();
    try {
      return check(sc, ctx);
    } finally {
      ruleMs += performance.now() - t;
    }
  };
  const reconsider = validator.reconsider.bind(validator);
  let rollbackMs = 0;
  validator.reconsider = (sc, ctx) => {
    const t = performance.now();
    try {
      reconsider(sc, ctx);
    } finally {
      const dt = performance.now() - t;
      ruleMs += dt;
      if (sc.hash === revocation.hash) rollbackMs += dt;
    }
  };
  const replica = await createReplica({ identity: root, db: seed.dbId, validator });
  const all = [genesis, ...chain.out.filter((c) => c !== revocation)];
  const t0 = performance.now();
  const prepared = [];
  for (let k = 0; k < all.length; k += 1000)
    prepared.push(replica.prepareIngest(all.slice(k, k + 1000).map((c) => c.bytes)));
  for (const p of prepared) await replica.commitPrepared(p);
  const ingestMs = performance.now() - t0;
  const judgedMs = ruleMs;
  const rejectedBefore = replica.changes().filter((e) => e.status === 'rejected').length;
  // Now the revocation arrives late and rolls back the victim's concurrent writes.
  const t1 = performance.now();
  await replica.ingest(revocation.bytes);
  const lateTotalMs = performance.now() - t1;
  const rolledBack = replica.changes().filter((e) => e.status === 'rejected').length - rejectedBefore;
  const changes = all.length - 1;
  const figures = {
    bench: 'auth',
    changes,
    ms: Math.round(judgedMs),
    ingest_total_ms: Math.round(ingestMs),
    changes_per_s: Math.round((changes / ingestMs) * 1000),
    rejected: rejectedBefore,
    rollback_changes: rolledBack,
    rollback_ms: Math.round(rollbackMs),
    rollback_total_ms: Math.round(lateTotalMs),
  };
  printTable('auth: rules judged at the causal past (ms = rule evaluation only)', figures);
  if (rolledBack !== LATE) throw new Error(`late revocation rolled back ${rolledBack}, expected ${LATE}`);
  return figures;
}
