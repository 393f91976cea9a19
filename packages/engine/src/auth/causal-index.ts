/**
 * Causality queries for rule evaluation: is change h in the causal past of change C?
 *
 * Invariants:
 *  1. `seen(C, a)` is the highest seq of author `a` in C's causal past (C excluded), computed
 *     from deps only: seen(C, a) = max over deps d of (d.author = a ? d.seq : seen(d, a)). A
 *     valid author chain is linear, so h (by a, seq s) is in past(C) iff s ≤ seen(C, a).
 *  2. Results are memoized per (author, change) and never change: a change's past is fixed by
 *     its hash. Memo tables exist only for authors that rules ask about (grantors, revokers),
 *     so memory is O(changes × those authors), not O(changes × all authors).
 */
import type { ChangeHash } from '../ids.ts';
import type { ChangeLog, LogEntry } from '../log/change-log.ts';

/** Answers causal-past questions over one change log. */
export class CausalIndex {
  private readonly memo = new Map<string, Map<ChangeHash, number>>();
  private readonly heads = new Map<string, { len: number; epoch: number; heads: ChangeHash[] }>();
  private readonly first = new Map<string, { len: number; epoch: number; first: LogEntry | undefined }>();

  constructor(private readonly log: ChangeLog) {}

  /** Highest seq of `author` among the given deps' causal closure. */
  seenFromDeps(deps: readonly ChangeHash[], author: string): number {
    let best = 0;
    for (const d of deps) {
      const e = this.log.get(d);
      if (e === undefined) continue;
      const c = e.sc.change;
      best = Math.max(best, c.author === author ? c.seq : this.seen(d, author));
    }
    return best;
  }

  /** Highest seq of `author` in the causal past of stored change `hash` (exclusive). */
  seen(hash: ChangeHash, author: string): number {
    let table = this.memo.get(author);
    if (table === undefined) this.memo.set(author, (table = new Map()));
    const hit = table.get(hash);
    if (hit !== undefined) return hit;
    // Iterative post-order walk: histories are long chains, recursion would overflow.
    const stack: ChangeHash[] = [hash];
    while (stack.length > 0) {
      const h = stack[stack.length - 1]!;
      if (table.has(h)) {
        stack.pop();
        continue;
      }
      const deps = this.log.get(h)?.sc.change.deps ?? [];
      let ready = true;
      let best = 0;
      for (const d of deps) {
        const dc = this.log.get(d)?.sc.change;
        if (dc === undefined) continue;
        if (dc.author === author) best = Math.max(best, dc.seq);
        else {
          const v = table.get(d);
          if (v === undefined) {
            ready = false;
            stack.push(d);
          } else best = Math.max(best, v);
        }
      }
      if (ready) {
        table.set(h, best);
        stack.pop();
      }
    }
    return table.get(hash)!;
  }

  /**
   * True when stored change `h` is in the causal past of a change by `self` with these deps.
   * The author's own chain answers without a walk: its earlier seqs are exactly its past.
   */
  inPastOfDeps(h: ChangeHash, deps: readonly ChangeHash[], self?: { author: string; seq: number }): boolean {
    const c = this.log.get(h)?.sc.change;
    if (c === undefined) return false;
    if (self !== undefined && c.author === self.author) return c.seq < self.seq;
    return c.seq <= this.seenFromDeps(deps, c.author);
  }

  /** True when stored change `h` is in the causal past of stored change `of`. */
  inPast(h: ChangeHash, of: ChangeHash): boolean {
    const c = this.log.get(h)?.sc.change;
    const o = this.log.get(of)?.sc.change;
    if (c === undefined || o === undefined || h === of) return false;
    if (c.author === o.author) return c.seq < o.seq;
    return c.seq <= this.seen(of, c.author);
  }

  /**
   * True when no change in `touching` had its verdict changed after `epoch` (a `statusEpoch`).
   * A late revocation flips thousands of verdicts, each bumping the log's epoch; per-doc caches
   * stay valid through the flips that did not touch their doc.
   */
  unchangedSince(touching: readonly ChangeHash[], epoch: number, upTo = touching.length): boolean {
    if (epoch === this.log.statusEpoch) return true;
    for (let i = 0; i < upTo; i++) if ((this.log.get(touching[i]!)?.statusAt ?? 0) > epoch) return false;
    return true;
  }

  /**
   * The valid changes touching a doc that no other valid change touching it descends from.
   * Every valid change on the doc is in a change's past iff all of these are, so a view of the
   * past can use the live doc after one or two ancestry checks instead of a fold.
   */
  docHeads(key: string, touching: readonly ChangeHash[]): ChangeHash[] {
    let entry = this.heads.get(key);
    if (entry === undefined || entry.len > touching.length || !this.unchangedSince(touching, entry.epoch, entry.len)) {
      entry = { len: 0, epoch: this.log.statusEpoch, heads: [] };
      this.heads.set(key, entry);
    }
    entry.epoch = this.log.statusEpoch;
    // Changes are stored after their deps, so a newer one is never in an older one's past.
    for (let i = entry.len; i < touching.length; i++) {
      const h = touching[i]!;
      if (this.log.get(h)?.status !== 'applied') continue;
      entry.heads = entry.heads.filter((x) => !this.inPast(x, h));
      entry.heads.push(h);
    }
    entry.len = touching.length;
    return entry.heads;
  }

  /** The earliest valid change touching a doc, in (height, hash) order (cached per epoch). */
  firstValid(key: string, touching: readonly ChangeHash[]): LogEntry | undefined {
    const hit = this.first.get(key);
    if (hit !== undefined && hit.len === touching.length && this.unchangedSince(touching, hit.epoch)) {
      hit.epoch = this.log.statusEpoch;
      return hit.first;
    }
    let best: LogEntry | undefined;
    for (const h of touching) {
      const e = this.log.get(h);
      if (e === undefined || e.status !== 'applied') continue;
      if (best === undefined || e.height < best.height || (e.height === best.height && e.sc.hash < best.sc.hash))
        best = e;
    }
    this.first.set(key, { len: touching.length, epoch: this.log.statusEpoch, first: best });
    return best;
  }
}
