/**
 * Changes that arrived before their deps (ingest step 6), bounded in count and bytes.
 *
 * Invariants:
 *  1. A parked change is released as soon as its last missing dep is stored; release order is
 *     then fixed by the caller's topological processing.
 *  2. The buffer never exceeds its limits: a change that does not fit is refused with
 *     `E_PENDING_FULL` (the peer will offer it again), never silently dropped after acceptance.
 */
import { WeftError } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';

/** Limits on parked changes. */
export interface PendingLimits {
  readonly maxChanges: number;
  readonly maxBytes: number;
}

/** Defaults: enough for a peer that streams a long offline history slightly out of order. */
export const DEFAULT_PENDING_LIMITS: PendingLimits = { maxChanges: 50_000, maxBytes: 64 * 1024 * 1024 };

interface Parked {
  readonly sc: SignedChange;
  readonly missing: Set<ChangeHash>;
}

/** The pending buffer. */
export class PendingBuffer {
  private readonly parked = new Map<ChangeHash, Parked>();
  private readonly waiting = new Map<ChangeHash, Set<ChangeHash>>();
  private bytes = 0;

  constructor(private readonly limits: PendingLimits = DEFAULT_PENDING_LIMITS) {}

  get size(): number {
    return this.parked.size;
  }

  has(hash: ChangeHash): boolean {
    return this.parked.has(hash);
  }

  /** Parks `sc` until `missing` are stored. */
  park(sc: SignedChange, missing: readonly ChangeHash[]): void {
    if (this.parked.has(sc.hash)) return;
    if (this.parked.size >= this.limits.maxChanges || this.bytes + sc.bytes.length > this.limits.maxBytes)
      throw new WeftError('E_PENDING_FULL', 'pending buffer is full');
    this.parked.set(sc.hash, { sc, missing: new Set(missing) });
    this.bytes += sc.bytes.length;
    for (const m of missing) {
      let set = this.waiting.get(m);
      if (set === undefined) this.waiting.set(m, (set = new Set()));
      set.add(sc.hash);
    }
  }

  /** Marks `hash` as stored; returns the parked changes that became ready. */
  resolve(hash: ChangeHash): SignedChange[] {
    const waiters = this.waiting.get(hash);
    if (waiters === undefined) return [];
    this.waiting.delete(hash);
    const ready: SignedChange[] = [];
    for (const w of waiters) {
      const p = this.parked.get(w);
      if (p === undefined) continue;
      p.missing.delete(hash);
      if (p.missing.size === 0) {
        this.parked.delete(w);
        this.bytes -= p.sc.bytes.length;
        ready.push(p.sc);
      }
    }
    return ready;
  }

  /**
   * Hashes that parked changes still wait for (to ask peers for), excluding parked ones and
   * pseudo-deps such as `schema:<hash>` (a schema comes with the app, not from peers).
   */
  missing(): ChangeHash[] {
    return [...this.waiting.keys()].filter((h) => !this.parked.has(h) && !h.includes(':'));
  }

  /** Parked changes, with what each waits for (for inspection). */
  entries(): { hash: ChangeHash; missing: ChangeHash[] }[] {
    return [...this.parked.values()].map((p) => ({ hash: p.sc.hash, missing: [...p.missing] }));
  }

  /** Parked changes in arrival order, with what each still waits for (for inspection). */
  parkedChanges(): { sc: SignedChange; missing: ChangeHash[] }[] {
    return [...this.parked.values()].map((p) => ({ sc: p.sc, missing: [...p.missing] }));
  }
}
