/**
 * Test-only helpers: a seeded PRNG. Seeds come from `WEFT_SEED` in the test files (this file is
 * part of the engine build, so it cannot read `process`); failures print the seed for replay.
 */

/** mulberry32: a tiny, fast, well-mixed 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed in `env` (e.g. `process.env.WEFT_SEED`), or a fresh random one. */
export function parseSeed(env: string | undefined): number {
  if (env !== undefined && env !== '') return Number(env) >>> 0;
  return Math.floor(Math.random() * 2 ** 32);
}

/** Convenience methods over {@link mulberry32}. */
export class Rng {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = mulberry32(seed);
  }
  /** A float in [0, 1). */
  float(): number {
    return this.next();
  }
  /** An int in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** A random element of `items`. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}
