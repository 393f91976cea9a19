/**
 * Seeded randomness for tests: one reproducible stream per seed, so a failing convergence or
 * fuzz run can be replayed exactly with `WEFT_SEED=<seed>` (DESIGN §12).
 *
 * The generator is sfc32 (small, fast, passes PractRand far beyond what tests draw), with its
 * state filled by splitmix32 so that neighbouring seeds (1, 2, 3 …) give unrelated streams.
 * Never use this for keys or nonces: it is predictable by design.
 */
import { WeftError } from '../errors.ts';

const TWO_POW_32 = 0x100000000;

/** splitmix32's output mix: a bijective avalanche, so nearby inputs give unrelated outputs. */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** 32-bit FNV-1a over UTF-16 code units, then avalanched; turns string seeds and labels into bits. */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/** 32 seed bits: small non-negative integers map to themselves, anything else is hashed. */
function seedBits(seed: number | string): number {
  if (typeof seed === 'string') return hashString(seed);
  if (!Number.isFinite(seed)) throw new WeftError('E_INVALID_ARGUMENT', `seed must be finite, got ${seed}`);
  return Number.isInteger(seed) && seed >= 0 && seed < TWO_POW_32 ? seed : hashString(String(seed));
}

/** A deterministic pseudo-random stream. Same seed, same calls → same values, on every platform. */
export class Rng {
  /** The seed this stream was built from, for error messages and replay. */
  readonly seed: number | string;
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private readonly root: number;

  /** Builds a stream from an integer seed (any finite number is accepted) or a string. */
  constructor(seed: number | string) {
    this.seed = seed;
    this.root = seedBits(seed);
    // splitmix32 fills the state: consecutive seeds must not give correlated sfc32 states.
    let s = this.root;
    const draw = (): number => {
      s = (s + 0x9e3779b9) | 0;
      return mix32(s);
    };
    this.a = draw();
    this.b = draw();
    this.c = draw();
    this.d = 1; // sfc32's counter word; starting at 1 keeps the all-zero state unreachable.
    // The first outputs of sfc32 still correlate with the seed words; discard them.
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1) with 32 bits of resolution (plenty for test decisions). */
  next(): number {
    return this.uint32() / TWO_POW_32;
  }

  /** A uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    if (!Number.isSafeInteger(maxExclusive) || maxExclusive <= 0)
      throw new WeftError('E_INVALID_ARGUMENT', `int() needs a positive safe integer bound, got ${maxExclusive}`);
    if (maxExclusive <= TWO_POW_32) return Math.floor(this.next() * maxExclusive);
    // Above 2^32 one draw cannot reach every value: combine two into a 53-bit fraction.
    const hi = this.uint32() >>> 11;
    const frac = (hi * TWO_POW_32 + this.uint32()) / 2 ** 53;
    return Math.floor(frac * maxExclusive);
  }

  /** One element of a non-empty array, uniformly. */
  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new WeftError('E_INVALID_ARGUMENT', 'pick() from an empty array');
    return arr[this.int(arr.length)]!;
  }

  /** A shuffled copy of `arr` (Fisher–Yates); the input is left untouched. */
  shuffle<T>(arr: readonly T[]): T[] {
    const out = arr.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }

  /** True with probability `p` (default one half). */
  bool(p = 0.5): boolean {
    return this.next() < p;
  }

  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      let w = this.uint32();
      for (let k = i; k < Math.min(n, i + 4); k++, w >>>= 8) out[k] = w & 0xff;
    }
    return out;
  }

  /**
   * An independent stream named `label`. It depends only on this stream's seed and the label,
   * not on how much has been drawn, so adding draws in one component never perturbs another's.
   * Forking the same label twice gives the same stream; use distinct labels (e.g. `replica-3`).
   */
  fork(label: string): Rng {
    return new Rng(`${this.root}/${label}`);
  }
}

function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The seeds a seeded test should run: just `WEFT_SEED` when it is set (replaying one failure),
 * otherwise `defaultCount` consecutive seeds starting at `base`.
 */
export function seedsToRun(defaultCount: number, base = 1): number[] {
  const fixed = env('WEFT_SEED');
  if (fixed !== undefined) {
    const seed = Number(fixed);
    if (!Number.isSafeInteger(seed))
      throw new WeftError('E_INVALID_ARGUMENT', `WEFT_SEED must be an integer, got "${fixed}"`);
    return [seed];
  }
  return Array.from({ length: defaultCount }, (_, i) => base + i);
}

/** `'long'` when `WEFT_FUZZ=long` asks for the slow, thorough fuzz runs; `'normal'` otherwise. */
export function fuzzLevel(): 'normal' | 'long' {
  return env('WEFT_FUZZ') === 'long' ? 'long' : 'normal';
}

function replayPrefix(seed: number | string): string {
  return `[WEFT_SEED=${seed}] replay with WEFT_SEED=${seed} npx vitest run <test file> | `;
}

/** Puts the replay hint in front of `err`'s message, keeping its class, stack and fields. */
function tagError(err: unknown, seed: number | string): unknown {
  const prefix = replayPrefix(seed);
  if (err instanceof Error) {
    if (err.message.startsWith(`[WEFT_SEED=`)) return err; // an inner withSeed already said it
    const old = err.message;
    try {
      err.message = prefix + old;
      // V8 bakes the message into `stack` when the error is built; rewrite it there too.
      const stack = err.stack;
      if (typeof stack === 'string') {
        const at = old === '' ? -1 : stack.indexOf(old);
        err.stack = at >= 0 ? stack.slice(0, at) + err.message + stack.slice(at + old.length) : `${prefix}\n${stack}`;
      }
      return err;
    } catch {
      // A frozen error cannot be edited: wrap it instead.
    }
  }
  const message = prefix + (err instanceof Error ? err.message : String(err));
  return new Error(message, { cause: err });
}

/**
 * Runs `fn(seed)`; if it throws or rejects, rethrows the same error with its message prefixed by
 * `[WEFT_SEED=<seed>] replay with WEFT_SEED=<seed> …`, so every failure names its replay seed.
 * Works for synchronous and asynchronous `fn`.
 */
export function withSeed<T>(seed: number | string, fn: (seed: number | string) => Promise<T>): Promise<T>;
export function withSeed<T>(seed: number | string, fn: (seed: number | string) => T): T;
export function withSeed<T>(seed: number | string, fn: (seed: number | string) => T | Promise<T>): T | Promise<T> {
  let result: T | Promise<T>;
  try {
    result = fn(seed);
  } catch (err) {
    throw tagError(err, seed);
  }
  if (result instanceof Promise) {
    return result.catch((err: unknown) => {
      throw tagError(err, seed);
    });
  }
  return result;
}
