/**
 * The total order LWW registers use: (hlc.ms, hlc.c, author, change hash, op index).
 *
 * Invariants:
 *  1. Two distinct ops never compare equal: (hash, index) is unique per op.
 *  2. The order depends only on signed data, so every replica picks the same winner.
 */
import type { Hlc } from '../clock/hlc.ts';

/** Where an op sits in the LWW order. */
export interface Stamp {
  readonly ms: number;
  readonly c: number;
  readonly author: string;
  readonly hash: string;
  readonly i: number;
}

/** Builds a stamp for op `i` of a change. */
export function stampOf(hlc: Hlc, author: string, hash: string, i: number): Stamp {
  return { ms: hlc.ms, c: hlc.c, author, hash, i };
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order on stamps. */
export function compareStamp(a: Stamp, b: Stamp): number {
  return a.ms - b.ms || a.c - b.c || cmpStr(a.author, b.author) || cmpStr(a.hash, b.hash) || a.i - b.i;
}
