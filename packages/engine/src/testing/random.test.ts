import { afterEach, describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { fuzzLevel, Rng, seedsToRun, withSeed } from './random.ts';

const draw = (rng: Rng, n: number): number[] => Array.from({ length: n }, () => rng.uint32());

describe('Rng', () => {
  it('is a pure function of its seed', () => {
    expect(draw(new Rng(42), 100)).toEqual(draw(new Rng(42), 100));
    expect(draw(new Rng('replica-a'), 10)).toEqual(draw(new Rng('replica-a'), 10));
    expect(draw(new Rng(42), 10)).not.toEqual(draw(new Rng(43), 10));
    expect(draw(new Rng(2 ** 40), 10)).not.toEqual(draw(new Rng(0), 10));
    expect(draw(new Rng(-1), 10)).not.toEqual(draw(new Rng(2 ** 32 - 1), 10));
  });

  it('pins its output, so a recorded seed replays on any platform and version', () => {
    // If this changes, every seed in every bug report stops meaning what it meant.
    expect(draw(new Rng(1), 4)).toEqual([1151041103, 1990438114, 272676157, 1346144161]);
  });

  it('gives unrelated streams for neighbouring seeds', () => {
    const firsts = new Set(Array.from({ length: 1000 }, (_, s) => new Rng(s).uint32()));
    expect(firsts.size).toBe(1000);
  });

  it('next() is in [0, 1) and roughly uniform', () => {
    const rng = new Rng(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = rng.next();
      if (!(x >= 0 && x < 1)) outside++;
      else buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('int() stays in range, reaches both ends, and handles bounds beyond 2^32', () => {
    const rng = new Rng(8);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = rng.int(7);
      expect(Number.isInteger(x) && x >= 0 && x < 7).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
    for (let i = 0; i < 1000; i++) {
      const x = rng.int(2 ** 53 - 1);
      expect(Number.isSafeInteger(x) && x >= 0).toBe(true);
    }
    expect(rng.int(1)).toBe(0);
    for (const bad of [0, -1, 1.5, NaN, Infinity]) expect(() => rng.int(bad)).toThrow(WeftError);
  });

  it('pick, shuffle, bool and bytes', () => {
    const rng = new Rng(9);
    expect(['only']).toContain(rng.pick(['only']));
    expect(() => rng.pick([])).toThrow(WeftError);
    const input = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = rng.shuffle(input);
    expect(input).toEqual(Array.from({ length: 50 }, (_, i) => i)); // not mutated
    expect([...shuffled].sort((a, b) => a - b)).toEqual(input);
    expect(shuffled).not.toEqual(input);
    let trues = 0;
    for (let i = 0; i < 10_000; i++) if (rng.bool(0.3)) trues++;
    expect(trues / 10_000).toBeCloseTo(0.3, 1);
    expect(rng.bool(0)).toBe(false);
    expect(rng.bool(1)).toBe(true);
    for (const n of [0, 1, 3, 4, 5, 33]) expect(rng.bytes(n)).toHaveLength(n);
    const big = rng.bytes(4096);
    expect(new Set(big).size).toBeGreaterThan(250);
  });

  it('fork(label) depends on the seed and label only, not on draws so far', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    draw(b, 17);
    expect(draw(a.fork('net'), 5)).toEqual(draw(b.fork('net'), 5));
    expect(draw(a.fork('net'), 5)).not.toEqual(draw(a.fork('ops'), 5));
    expect(draw(a.fork('net'), 5)).not.toEqual(draw(new Rng(6).fork('net'), 5));
    expect(draw(a.fork('net'), 5)).not.toEqual(draw(a, 5));
  });
});

describe('seedsToRun and fuzzLevel', () => {
  const saved = { seed: process.env.WEFT_SEED, fuzz: process.env.WEFT_FUZZ };
  afterEach(() => {
    for (const [key, value] of [
      ['WEFT_SEED', saved.seed],
      ['WEFT_FUZZ', saved.fuzz],
    ] as const)
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
  });

  it('runs consecutive seeds by default', () => {
    delete process.env.WEFT_SEED;
    expect(seedsToRun(3)).toEqual([1, 2, 3]);
    expect(seedsToRun(3, 100)).toEqual([100, 101, 102]);
    expect(seedsToRun(0)).toEqual([]);
  });

  it('runs only WEFT_SEED when it is set', () => {
    process.env.WEFT_SEED = '1234';
    expect(seedsToRun(200)).toEqual([1234]);
    process.env.WEFT_SEED = '';
    expect(seedsToRun(2)).toEqual([1, 2]);
    process.env.WEFT_SEED = 'abc';
    expect(() => seedsToRun(2)).toThrow(WeftError);
  });

  it('reads WEFT_FUZZ', () => {
    delete process.env.WEFT_FUZZ;
    expect(fuzzLevel()).toBe('normal');
    process.env.WEFT_FUZZ = 'long';
    expect(fuzzLevel()).toBe('long');
    process.env.WEFT_FUZZ = 'yes';
    expect(fuzzLevel()).toBe('normal');
  });
});

describe('withSeed', () => {
  const prefix = '[WEFT_SEED=77] replay with WEFT_SEED=77 ';

  it('returns what fn returns and passes the seed', async () => {
    expect(withSeed(77, (s) => `got ${s}`)).toBe('got 77');
    await expect(withSeed(77, async () => 5)).resolves.toBe(5);
  });

  it('prefixes a thrown error, keeping its class, code, stack and fields', () => {
    const original = new WeftError('E_HASH', 'state hashes differ');
    let caught: unknown;
    try {
      withSeed(77, () => {
        throw original;
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(original);
    expect(original.message.startsWith(prefix)).toBe(true);
    expect(original.message).toContain('E_HASH: state hashes differ');
    expect(original.code).toBe('E_HASH');
    expect(original.stack?.split('\n')[0]).toContain(prefix);
    expect(original.stack).toContain('random.test.ts');
  });

  it('prefixes a rejection of an async fn, and tags nested runs once', async () => {
    const err = await withSeed(77, () =>
      withSeed(77, async () => {
        await Promise.resolve();
        expect(1).toBe(2);
      }),
    ).catch((e: unknown) => e as Error);
    expect(err?.message.startsWith(prefix)).toBe(true);
    expect(err?.message.split('[WEFT_SEED=')).toHaveLength(2);
  });

  it('wraps non-errors and frozen errors, keeping the original as cause', () => {
    const frozen = Object.freeze(new Error('frozen'));
    for (const thrown of ['a string', frozen]) {
      let caught: unknown;
      try {
        withSeed('s1', () => {
          throw thrown;
        });
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(Error);
      expect((caught as Error).message.startsWith('[WEFT_SEED=s1] replay with WEFT_SEED=s1 ')).toBe(true);
      expect((caught as Error).cause).toBe(thrown);
    }
  });
});
