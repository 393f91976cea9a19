import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { compareHlc, DEFAULT_MAX_DRIFT_MS, type Hlc, HLC_MAX_COUNTER, HLC_MAX_MS, HlcClock, isHlc } from './hlc.ts';

/** A wall clock the test sets by hand. */
function fakeWall(start = 1_000_000): { clock: () => number; set: (ms: number) => void } {
  let now = start;
  return { clock: () => now, set: (ms) => (now = ms) };
}

const h = (ms: number, c = 0): Hlc => ({ ms, c });

describe('HlcClock.now', () => {
  it('follows the wall clock when it moves forward', () => {
    const wall = fakeWall(5000);
    const clock = new HlcClock(wall.clock);
    expect(clock.now()).toEqual(h(5000));
    wall.set(5007.9);
    expect(clock.now()).toEqual(h(5007)); // whole milliseconds
    expect(clock.latest).toEqual(h(5007));
  });

  it('stays strictly increasing under a stalled wall clock', () => {
    const clock = new HlcClock(() => 5000);
    const seen = Array.from({ length: 1000 }, () => clock.now());
    for (let i = 1; i < seen.length; i++) expect(compareHlc(seen[i]!, seen[i - 1]!)).toBeGreaterThan(0);
    expect(seen[999]).toEqual(h(5000, 999));
  });

  it('stays strictly increasing when the wall clock goes backwards, then resumes once it catches up', () => {
    const wall = fakeWall(10_000);
    const clock = new HlcClock(wall.clock);
    const a = clock.now();
    wall.set(4_000); // NTP step back
    const b = clock.now();
    const c = clock.now();
    expect(b).toEqual(h(10_000, 1));
    expect(c).toEqual(h(10_000, 2));
    wall.set(10_001);
    expect(clock.now()).toEqual(h(10_001, 0));
    expect(compareHlc(a, b)).toBeLessThan(0);
  });

  it('carries a full counter into the next millisecond', () => {
    const clock = new HlcClock(() => 7);
    for (let i = 0; i <= HLC_MAX_COUNTER; i++) clock.now();
    expect(clock.latest).toEqual(h(7, HLC_MAX_COUNTER));
    expect(clock.now()).toEqual(h(8, 0));
    expect(clock.now()).toEqual(h(8, 1));
  });

  it('clamps a wall clock outside [0, HLC_MAX_MS] and fails loudly once exhausted', () => {
    // The clock starts at {0, 0}, so a wall clock stuck at or below 0 yields {0, 1} first.
    expect(new HlcClock(() => -50).now()).toEqual(h(0, 1));
    const clock = new HlcClock(() => 2 ** 60);
    expect(clock.now()).toEqual(h(HLC_MAX_MS, 0));
    clock.observe(h(HLC_MAX_MS, HLC_MAX_COUNTER));
    let caught: unknown;
    try {
      clock.now();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(WeftError);
    expect((caught as WeftError).code).toBe('E_INTERNAL');
  });

  it('holds invariant 1 under any interleaving of wall moves, now() and observe()', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('wall' as const), delta: fc.integer({ min: -100_000, max: 100_000 }) }),
      fc.record({ kind: fc.constant('now' as const) }),
      fc.record({
        kind: fc.constant('observe' as const),
        delta: fc.integer({ min: -200_000, max: 200_000 }),
        c: fc.integer({ min: 0, max: HLC_MAX_COUNTER }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const wall = fakeWall(1_000_000);
        const clock = new HlcClock(wall.clock, 50_000);
        let wallMs = 1_000_000;
        let highest: Hlc = h(0); // everything now() must order after
        let ceiling = 0; // how far the clock may legitimately have been moved
        for (const s of steps) {
          if (s.kind === 'wall') wall.set((wallMs = Math.max(0, wallMs + s.delta)));
          else if (s.kind === 'observe') {
            const remote = h(Math.max(0, wallMs + s.delta), s.c);
            const { clamped } = clock.observe(remote);
            if (clamped) ceiling = Math.max(ceiling, wallMs + 50_000);
            else if (compareHlc(remote, highest) > 0) highest = remote;
            ceiling = Math.max(ceiling, highest.ms);
            // Never dragged past the clamp, whatever it was shown.
            expect(clock.latest.ms).toBeLessThanOrEqual(ceiling);
          } else {
            const t = clock.now();
            expect(compareHlc(t, highest)).toBeGreaterThan(0);
            expect(isHlc(t)).toBe(true);
            highest = t;
            ceiling = Math.max(ceiling, t.ms);
          }
        }
      }),
      { seed: 0x41c, numRuns: 500 },
    );
  });
});

describe('HlcClock.observe', () => {
  it('ignores a timestamp from the past', () => {
    const clock = new HlcClock(() => 50_000);
    clock.now();
    expect(clock.observe(h(10_000, 5))).toEqual({ driftMs: 0, clamped: false });
    expect(clock.now()).toEqual(h(50_000, 1));
  });

  it('adopts a timestamp slightly in the future, so the next now() orders after it', () => {
    const clock = new HlcClock(() => 50_000);
    clock.now();
    expect(clock.observe(h(50_200, 9))).toEqual({ driftMs: 200, clamped: false });
    expect(clock.latest).toEqual(h(50_200, 9));
    expect(clock.now()).toEqual(h(50_200, 10));
  });

  it('adopts an equal-millisecond timestamp with a higher counter', () => {
    const clock = new HlcClock(() => 50_000);
    clock.now();
    clock.observe(h(50_000, 40));
    expect(clock.now()).toEqual(h(50_000, 41));
  });

  it('accepts drift exactly at maxDrift, and clamps anything beyond it', () => {
    const wall = 1_000_000;
    const clock = new HlcClock(() => wall, 1000);
    expect(clock.observe(h(wall + 1000, 3))).toEqual({ driftMs: 1000, clamped: false });
    expect(clock.latest).toEqual(h(wall + 1000, 3));

    const other = new HlcClock(() => wall, 1000);
    const far = h(wall + 5_000_000, 0);
    expect(other.observe(far)).toEqual({ driftMs: 5_000_000, clamped: true });
    // Not dragged to the remote value: at most to wall + maxDrift.
    expect(other.latest.ms).toBeLessThanOrEqual(wall + 1000);
    const next = other.now();
    expect(next.ms).toBeLessThanOrEqual(wall + 1000);
    expect(compareHlc(next, far)).toBeLessThan(0);
  });

  it('uses a 24 hour clamp by default', () => {
    const clock = new HlcClock(() => 0);
    expect(clock.observe(h(DEFAULT_MAX_DRIFT_MS)).clamped).toBe(false);
    expect(clock.observe(h(DEFAULT_MAX_DRIFT_MS + 1)).clamped).toBe(true);
  });

  it('a clamped observation never moves the clock backwards', () => {
    const wall = fakeWall(1_000_000);
    const clock = new HlcClock(wall.clock, 1000);
    clock.observe(h(1_000_900, 7));
    wall.set(500_000); // the wall clock steps back after the observation
    expect(clock.observe(h(9_000_000)).clamped).toBe(true);
    expect(clock.latest).toEqual(h(1_000_900, 7));
    expect(clock.now()).toEqual(h(1_000_900, 8));
  });
});

describe('compareHlc and isHlc', () => {
  it('orders by milliseconds, then counter, as a total order', () => {
    expect(compareHlc(h(1, 9), h(2, 0))).toBeLessThan(0);
    expect(compareHlc(h(2, 0), h(1, 9))).toBeGreaterThan(0);
    expect(compareHlc(h(2, 1), h(2, 3))).toBeLessThan(0);
    expect(compareHlc(h(2, 3), h(2, 3))).toBe(0);
    expect(compareHlc(h(HLC_MAX_MS, HLC_MAX_COUNTER), h(0, 0))).toBeGreaterThan(0);
    const hlc = fc.record({
      ms: fc.integer({ min: 0, max: HLC_MAX_MS }),
      c: fc.integer({ min: 0, max: HLC_MAX_COUNTER }),
    });
    fc.assert(
      fc.property(hlc, hlc, hlc, (a, b, c) => {
        expect(Math.sign(compareHlc(a, b))).toBe(-Math.sign(compareHlc(b, a)));
        expect(compareHlc(a, b) === 0).toBe(a.ms === b.ms && a.c === b.c);
        if (compareHlc(a, b) <= 0 && compareHlc(b, c) <= 0) expect(compareHlc(a, c)).toBeLessThanOrEqual(0);
        // Agrees with the packed 64-bit order that storage keys use.
        const packed = (x: Hlc): bigint => (BigInt(x.ms) << 16n) | BigInt(x.c);
        expect(Math.sign(compareHlc(a, b))).toBe(Math.sign(Number(packed(a) - packed(b))));
      }),
      { seed: 0x41c, numRuns: 1000 },
    );
  });

  it('validates structure and ranges', () => {
    for (const good of [h(0, 0), h(HLC_MAX_MS, HLC_MAX_COUNTER), { ms: 5, c: 1, extra: true }])
      expect(isHlc(good)).toBe(true);
    const bad: unknown[] = [
      null,
      undefined,
      5,
      'x',
      [],
      {},
      { ms: 1 },
      { c: 1 },
      h(-1, 0),
      h(0, -1),
      h(HLC_MAX_MS + 1, 0),
      h(0, HLC_MAX_COUNTER + 1),
      h(1.5, 0),
      h(0, 0.5),
      h(NaN, 0),
      h(Infinity, 0),
      { ms: '1', c: 0 },
      { ms: 1n, c: 0 },
    ];
    for (const b of bad)
      expect(
        isHlc(b),
        JSON.stringify(b, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ).toBe(false);
  });
});
