/**
 * The in-memory index of the Merkle DAG: every stored change by hash, each author's chain,
 * the heads and the version vector.
 *
 * Invariants:
 *  1. A change is stored only when all its deps are stored (causal closure), so `heads` is
 *     exactly the set of stored changes no stored change depends on.
 *  2. Stored ≠ valid: rejected changes (equivocation, rules) stay in the DAG with their status,
 *     so every replica converges on the same *set* of changes and the same verdicts.
 *  3. `height` = 1 + max height of deps (genesis-like roots 0). Sorting by (height, hash) is a
 *     deterministic topological order, and a change can only be an ancestor of a higher one.
 *  4. An author equivocates at seq s when two stored changes share (author, s). Rule E: every
 *     change of that author with seq ≥ s is invalid (`E_EQUIVOCATION`); both forks are kept as
 *     proof. The earliest equivocating seq wins, so the rule does not depend on arrival order.
 *  5. Snapshot hook (snapshot/): a change covered by the replica's trusted snapshot has its
 *     effect in the snapshot's doc states and a final verdict (`authorChangesFrom` skips it).
 *     A *pruned* one is a body-less stub: it answers `has`, the chain rule, heads, the version
 *     vector and causal-past walks like a stored change, but is never listed or sent.
 */
import type { WeftErrorCode } from '../errors.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';

/** A change's verdict. */
export type ChangeStatus = 'applied' | 'rejected';

/** One stored change. */
export interface LogEntry {
  readonly sc: SignedChange;
  readonly height: number;
  status: ChangeStatus;
  reason: WeftErrorCode | null;
  /** Local arrival order, for inspection and checkpoints; not part of any replicated state. */
  readonly order: number;
  /** The log's `statusEpoch` right after this entry's verdict last changed (never: absent). */
  statusAt?: number;
  /** Set when a trusted snapshot covers the change; `pruned` when only its DAG skeleton is kept. */
  covered?: 'kept' | 'pruned';
  /**
   * True when the change was applied first and rejected later (equivocation found afterwards,
   * a late revocation): inspection reports it as rolled back rather than rejected on arrival.
   */
  rolledBack?: boolean;
}

/** Per-author chain index. */
interface AuthorChain {
  /** seq → hash (the first stored; forks go to `forks`) */
  readonly bySeq: Map<number, ChangeHash>;
  max: number;
  /** Lowest seq at which the author equivocated, or Infinity. */
  equivocatedAt: number;
}

/** Proof that an author signed two different changes with one seq. */
export interface EquivocationProof {
  readonly author: AuthorId;
  readonly seq: number;
  readonly hashes: readonly ChangeHash[];
}

/** A per-author count of changes: author → highest stored seq. */
export type VersionVector = Record<string, number>;

/** The DAG index. */
export class ChangeLog {
  readonly byHash = new Map<ChangeHash, LogEntry>();
  readonly heads = new Set<ChangeHash>();
  private readonly chains = new Map<AuthorId, AuthorChain>();
  private readonly forks = new Map<string, ChangeHash[]>();
  private nextOrder = 0;
  /** Bumped whenever a stored change's verdict changes, so caches of derived views can tell. */
  statusEpoch = 0;

  /** Changes a stored change's verdict (equivocation, a late revocation, a restored change). */
  setStatus(entry: LogEntry, status: ChangeStatus, reason: WeftErrorCode | null): void {
    if (entry.status === status && entry.reason === reason) return;
    // A verdict flipping away from `applied` undoes effects already seen: that is a roll back.
    entry.rolledBack = status === 'rejected' && (entry.status === 'applied' || entry.rolledBack === true);
    entry.status = status;
    entry.reason = reason;
    entry.statusAt = ++this.statusEpoch;
  }

  /** Number of stored changes. */
  get size(): number {
    return this.byHash.size;
  }

  has(hash: ChangeHash): boolean {
    return this.byHash.has(hash);
  }

  get(hash: ChangeHash): LogEntry | undefined {
    return this.byHash.get(hash);
  }

  /** The hash stored for (author, seq), the first one if the author forked there. */
  hashAt(author: AuthorId, seq: number): ChangeHash | undefined {
    return this.chains.get(author)?.bySeq.get(seq);
  }

  /** Highest stored seq of `author` (0 if none). */
  maxSeq(author: AuthorId): number {
    return this.chains.get(author)?.max ?? 0;
  }

  /** Lowest seq where `author` equivocated, or Infinity. */
  equivocatedAt(author: AuthorId): number {
    return this.chains.get(author)?.equivocatedAt ?? Infinity;
  }

  /** The version vector: author → highest stored seq. */
  versionVector(): VersionVector {
    const vv: VersionVector = {};
    for (const [a, c] of this.chains) vv[a] = c.max;
    return vv;
  }

  /** Equivocation proofs, sorted. */
  equivocations(): EquivocationProof[] {
    const out: EquivocationProof[] = [];
    for (const [k, hashes] of this.forks) {
      const i = k.lastIndexOf(':');
      out.push({ author: k.slice(0, i) as AuthorId, seq: Number(k.slice(i + 1)), hashes: [...hashes].sort() });
    }
    return out.sort((a, b) => (a.author < b.author ? -1 : a.author > b.author ? 1 : a.seq - b.seq));
  }

  /** Height a change with these deps gets. */
  heightFor(deps: readonly ChangeHash[]): number {
    let h = 0;
    for (const d of deps) h = Math.max(h, this.byHash.get(d)!.height + 1);
    return h;
  }

  /**
   * Stores a change whose deps are all stored. Returns the equivocating seq when this change
   * is the second at its (author, seq), else undefined.
   */
  add(sc: SignedChange, status: ChangeStatus, reason: WeftErrorCode | null, order?: number): number | undefined {
    const stub = this.byHash.get(sc.hash);
    if (stub?.covered === 'pruned') {
      // A kept body of a snapshot-covered change, loaded after the snapshot's skeleton.
      this.byHash.set(sc.hash, { ...stub, sc, order: order ?? this.nextOrder, covered: 'kept' });
      this.nextOrder = Math.max(this.nextOrder, order ?? this.nextOrder) + 1;
      return undefined;
    }
    const { author, seq, deps } = sc.change;
    const entry: LogEntry = { sc, height: this.heightFor(deps), status, reason, order: order ?? this.nextOrder };
    this.nextOrder = Math.max(this.nextOrder, entry.order) + 1;
    this.byHash.set(sc.hash, entry);
    for (const d of deps) this.heads.delete(d);
    this.heads.add(sc.hash);
    let chain = this.chains.get(author);
    if (chain === undefined) this.chains.set(author, (chain = { bySeq: new Map(), max: 0, equivocatedAt: Infinity }));
    if (seq > chain.max) chain.max = seq;
    const existing = chain.bySeq.get(seq);
    if (existing === undefined) {
      chain.bySeq.set(seq, sc.hash);
      return undefined;
    }
    const key = `${author}:${seq}`;
    const list = this.forks.get(key) ?? [existing];
    list.push(sc.hash);
    this.forks.set(key, list);
    if (seq < chain.equivocatedAt) chain.equivocatedAt = seq;
    return seq;
  }

  /** Every stored change of `author` with seq ≥ `from` (all forks), except snapshot-covered ones. */
  authorChangesFrom(author: AuthorId, from: number): LogEntry[] {
    const out: LogEntry[] = [];
    const chain = this.chains.get(author);
    if (chain === undefined) return out;
    for (const [seq, h] of chain.bySeq) if (seq >= from) out.push(this.byHash.get(h)!);
    for (const [k, hashes] of this.forks) {
      if (!k.startsWith(author + ':') || Number(k.slice(author.length + 1)) < from) continue;
      for (const h of hashes.slice(1)) out.push(this.byHash.get(h)!);
    }
    return out.filter((e) => e.covered === undefined);
  }

  /**
   * Snapshot hook: records a change known only from a trusted snapshot, as a body-less stub
   * (`sc.change` without ops; empty bytes). Its deps must be recorded first. Returns the
   * equivocating seq when it forks its author's chain, like {@link add}.
   */
  addCovered(stub: SignedChange, status: ChangeStatus, reason: WeftErrorCode | null): number | undefined {
    const nextOrder = this.nextOrder;
    const fork = this.add(stub, status, reason, -1);
    this.nextOrder = nextOrder;
    this.byHash.get(stub.hash)!.covered = 'pruned';
    return fork;
  }

  /** Snapshot hook: drops a covered change's body, keeping its skeleton (compaction). */
  prune(hash: ChangeHash): void {
    const e = this.byHash.get(hash);
    if (e === undefined || e.covered === 'pruned') return;
    this.byHash.set(hash, { ...e, sc: bodyless(e.sc), covered: 'pruned' });
  }

  /**
   * True when `ancestor` is in the causal past of a change with deps `deps`.
   * Explores only changes higher than the ancestor, and stops at the ancestor author's own
   * chain: a valid chain is linear, so any of that author's changes at or after its seq
   * descends from it.
   */
  isAncestorOfDeps(ancestor: ChangeHash, deps: readonly ChangeHash[]): boolean {
    const target = this.byHash.get(ancestor);
    if (target === undefined) return false;
    const { author, seq } = target.sc.change;
    const chainOk = seq < this.equivocatedAt(author as AuthorId);
    const stack = [...deps];
    const seen = new Set<ChangeHash>();
    while (stack.length > 0) {
      const h = stack.pop()!;
      if (h === ancestor) return true;
      if (seen.has(h)) continue;
      seen.add(h);
      const e = this.byHash.get(h);
      if (e === undefined || e.height <= target.height) continue;
      const c = e.sc.change;
      if (chainOk && c.author === author && c.seq >= seq && c.seq < this.equivocatedAt(author as AuthorId)) return true;
      for (const d of c.deps) stack.push(d);
    }
    return false;
  }

  /** Stored changes a peer with version vector `peer` lacks, in topological order. */
  missingFor(peer: VersionVector): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [author, chain] of this.chains) {
      const have = peer[author] ?? 0;
      if (chain.max <= have) continue;
      for (let s = have + 1; s <= chain.max; s++) {
        const h = chain.bySeq.get(s);
        if (h !== undefined) out.push(this.byHash.get(h)!);
        const forks = chain.equivocatedAt <= s ? this.forks.get(`${author}:${s}`) : undefined;
        if (forks !== undefined) for (const f of forks.slice(1)) out.push(this.byHash.get(f)!);
      }
    }
    // Pruned bodies cannot be sent: a peer that lacks them needs the snapshot (snapshot/).
    return sortTopological(out.filter((e) => e.covered !== 'pruned'));
  }

  /** Every stored change (not pruned stubs) in topological order. */
  topological(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const e of this.byHash.values()) if (e.covered !== 'pruned') out.push(e);
    return sortTopological(out);
  }
}

const NO_BYTES = new Uint8Array(0);

/** A change's DAG skeleton: header fields without ops, no body, signature or wire bytes. */
export function bodyless(sc: SignedChange): SignedChange {
  return { hash: sc.hash, change: { ...sc.change, ops: [] }, body: NO_BYTES, sig: NO_BYTES, bytes: NO_BYTES };
}

/** Sorts entries by (height, hash): a deterministic topological order. */
export function sortTopological(entries: LogEntry[]): LogEntry[] {
  return entries.sort((a, b) => a.height - b.height || (a.sc.hash < b.sc.hash ? -1 : a.sc.hash > b.sc.hash ? 1 : 0));
}
