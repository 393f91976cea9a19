/**
 * Hybrid logical clock: 48-bit wall milliseconds plus a 16-bit counter.
 *
 * Invariants:
 *  1. `now()` is strictly greater than every timestamp it returned or observed before.
 *  2. A remote timestamp more than `maxDriftMs` ahead of the local wall clock never drags the
 *     local clock forward: `observe()` clamps it and reports the drift. Ordering may still use the
 *     remote value as written (it is signed data); authority never depends on it.
 *  3. Timestamps order by (ms, counter); ties between authors are broken outside this module.
 */
import { WeftError } from '../errors.ts';

/** A hybrid logical timestamp. */
export interface Hlc {
  /** Wall milliseconds, 0 ≤ ms < 2^48. */
  readonly ms: number;
  /** Logical counter within one millisecond, 0 ≤ c < 2^16. */
  readonly c: number;
}

/** Largest valid wall-clock part. */
export const HLC_MAX_MS = 2 ** 48 - 1;
/** Largest valid counter. */
export const HLC_MAX_COUNTER = 0xffff;
/** Default drift clamp: 24 hours. */
export const DEFAULT_MAX_DRIFT_MS = 24 * 60 * 60 * 1000;

/** Total order on timestamps. */
export function compareHlc(a: Hlc, b: Hlc): number {
  return a.ms !== b.ms ? a.ms - b.ms : a.c - b.c;
}

/** True when `h` is a structurally valid timestamp. */
export function isHlc(h: unknown): h is Hlc {
  if (typeof h !== 'object' || h === null) return false;
  const { ms, c } = h as { ms?: unknown; c?: unknown };
  return (
    Number.isSafeInteger(ms) &&
    (ms as number) >= 0 &&
    (ms as number) <= HLC_MAX_MS &&
    Number.isSafeInteger(c) &&
    (c as number) >= 0 &&
    (c as number) <= HLC_MAX_COUNTER
  );
}

/** A source of wall-clock milliseconds (a port: tests inject a fake). */
export type WallClock = () => number;

/** What {@link HlcClock.observe} reports about a remote timestamp. */
export interface ObserveResult {
  /** How far ahead of the local wall clock the remote timestamp was, when beyond the clamp. */
  readonly driftMs: number;
  readonly clamped: boolean;
}

/** A hybrid logical clock instance. */
export class HlcClock {
  private last: Hlc = { ms: 0, c: 0 };

  constructor(
    private readonly wall: WallClock,
    private readonly maxDriftMs: number = DEFAULT_MAX_DRIFT_MS,
  ) {}

  /** The latest timestamp issued or observed. */
  get latest(): Hlc {
    return this.last;
  }

  /** Issues a fresh timestamp, strictly greater than all before it. */
  /** The wall clock, floored and bounded; a broken clock (NaN) reads as 0 so the clamp still holds. */
  private readWall(): number {
    const w = Math.floor(this.wall());
    return Number.isFinite(w) ? Math.min(Math.max(0, w), HLC_MAX_MS) : 0;
  }

  now(): Hlc {
    const wall = this.readWall();
    if (wall > this.last.ms) this.last = { ms: wall, c: 0 };
    else this.last = bump(this.last);
    return this.last;
  }

  /** Merges a remote timestamp into the clock, clamping one too far in the future. */
  observe(remote: Hlc): ObserveResult {
    if (!isHlc(remote)) throw new WeftError('E_INVALID_ARGUMENT', 'not a valid hybrid logical timestamp');
    const wall = this.readWall();
    const driftMs = remote.ms - wall;
    if (driftMs > this.maxDriftMs) {
      const clampedTo: Hlc = { ms: Math.min(wall + this.maxDriftMs, HLC_MAX_MS), c: 0 };
      if (compareHlc(clampedTo, this.last) > 0) this.last = clampedTo;
      return { driftMs, clamped: true };
    }
    if (compareHlc(remote, this.last) > 0) this.last = remote;
    return { driftMs: Math.max(0, driftMs), clamped: false };
  }
}

function bump(h: Hlc): Hlc {
  if (h.c < HLC_MAX_COUNTER) return { ms: h.ms, c: h.c + 1 };
  if (h.ms >= HLC_MAX_MS) throw new WeftError('E_INTERNAL', 'hybrid logical clock exhausted');
  return { ms: h.ms + 1, c: 0 };
}
