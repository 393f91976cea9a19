/**
 * PN-counter: per-author sums of increments and of decrements.
 *
 * Invariants:
 *  1. Each op is applied exactly once (the log deduplicates by hash), and addition commutes, so
 *     the value is the same for every delivery order.
 *  2. Per-author P and N are kept apart so the state also merges as a state-based PN-counter
 *     (pointwise max), which snapshots rely on.
 */

/** A counter's state. */
export interface PnCounter {
  readonly t: 'ctr';
  /** author → sum of positive increments */
  readonly p: Record<string, number>;
  /** author → sum of magnitudes of negative increments */
  readonly n: Record<string, number>;
}

/** An empty counter. */
export function emptyCounter(): PnCounter {
  return { t: 'ctr', p: {}, n: {} };
}

/** Applies an increment by `author` (mutates and returns `ctr`). */
export function counterInc(ctr: PnCounter, author: string, amount: number): PnCounter {
  if (amount >= 0) ctr.p[author] = (ctr.p[author] ?? 0) + amount;
  else ctr.n[author] = (ctr.n[author] ?? 0) - amount;
  return ctr;
}

/** The counter's value. */
export function counterValue(ctr: PnCounter): number {
  let v = 0;
  for (const k in ctr.p) v += ctr.p[k]!;
  for (const k in ctr.n) v -= ctr.n[k]!;
  return v;
}

/** State-based merge (pointwise max), for snapshots. */
export function counterMerge(a: PnCounter, b: PnCounter): PnCounter {
  const out = emptyCounter();
  for (const src of [a, b]) {
    for (const k in src.p) out.p[k] = Math.max(out.p[k] ?? 0, src.p[k]!);
    for (const k in src.n) out.n[k] = Math.max(out.n[k] ?? 0, src.n[k]!);
  }
  return out;
}
