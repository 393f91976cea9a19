/**
 * Last-writer-wins register.
 *
 * Invariants:
 *  1. merge is commutative, associative and idempotent: the value is the one with the greatest
 *     stamp (see stamp.ts), whatever order writes arrive in.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { compareStamp, type Stamp } from './stamp.ts';

/** A register's state. */
export interface LwwRegister {
  readonly t: 'lww';
  readonly v: CanonicalValue;
  readonly s: Stamp;
}

/** Applies a write; returns the new state (the same object when the write loses). */
export function lwwSet(reg: LwwRegister | undefined, v: CanonicalValue, s: Stamp): LwwRegister {
  if (reg !== undefined && compareStamp(reg.s, s) >= 0) return reg;
  return { t: 'lww', v, s };
}

/** Merges two register states. */
export function lwwMerge(a: LwwRegister, b: LwwRegister): LwwRegister {
  return compareStamp(a.s, b.s) >= 0 ? a : b;
}
