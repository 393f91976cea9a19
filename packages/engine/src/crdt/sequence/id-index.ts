/**
 * Id index: for one agent, its runs sorted by (dense) counter, so any element id finds its run.
 *
 * A chunked sorted array: binary search over chunks, then within one. A split inserts the right
 * half just after its left half, which costs a splice of at most {@link CHUNK_MAX} entries
 * instead of the whole array; new runs of an agent arrive with ever larger counters, so they
 * append. A one-entry cache serves the common case of consecutive lookups in the same run.
 */
import type { Run } from './run.ts';

const CHUNK_MAX = 512;

/** The runs of one agent, by counter. */
export class AgentRuns<C> {
  private chunks: Run<C>[][] = [];
  private cached: Run<C> | null = null;

  /** The live run holding `counter`, if any. */
  find(counter: number): Run<C> | undefined {
    const c = this.cached;
    if (c !== null && counter >= c.counter && counter < c.counter + c.len) return c;
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid]![0]!.counter <= counter) lo = mid;
      else hi = mid - 1;
    }
    const chunk = chunks[lo];
    if (chunk === undefined) return undefined;
    let a = 0;
    let b = chunk.length - 1;
    while (a < b) {
      const mid = (a + b + 1) >> 1;
      if (chunk[mid]!.counter <= counter) a = mid;
      else b = mid - 1;
    }
    const run = chunk[a]!;
    if (counter < run.counter || counter >= run.counter + run.len) return undefined;
    this.cached = run;
    return run;
  }

  /** Adds a run whose counter range is not indexed yet. */
  add(run: Run<C>): void {
    const chunks = this.chunks;
    const lastChunk = chunks[chunks.length - 1];
    if (lastChunk === undefined) {
      chunks.push([run]);
      return;
    }
    if (lastChunk[lastChunk.length - 1]!.counter < run.counter) {
      lastChunk.push(run);
      if (lastChunk.length > CHUNK_MAX) chunks.push(lastChunk.splice(CHUNK_MAX >> 1));
      return;
    }
    const ci = this.chunkOf(run.counter);
    const chunk = chunks[ci]!;
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (chunk[mid]!.counter < run.counter) a = mid + 1;
      else b = mid;
    }
    chunk.splice(a, 0, run);
    if (chunk.length > CHUNK_MAX) chunks.splice(ci + 1, 0, chunk.splice(CHUNK_MAX >> 1));
  }

  /** Removes a run (merged into its neighbour). */
  remove(run: Run<C>): void {
    const ci = this.chunkOf(run.counter);
    const chunk = this.chunks[ci]!;
    const i = chunk.indexOf(run);
    if (i < 0) return;
    chunk.splice(i, 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    if (this.cached === run) this.cached = null;
  }

  /** Replaces the whole index with `sorted` (runs ordered by counter), for bulk loading. */
  load(sorted: Run<C>[]): void {
    this.chunks = [];
    for (let i = 0; i < sorted.length; i += CHUNK_MAX >> 1) this.chunks.push(sorted.slice(i, i + (CHUNK_MAX >> 1)));
    this.cached = null;
  }

  /** Calls `f` on every live run in counter order. */
  forEach(f: (run: Run<C>) => void): void {
    for (const chunk of this.chunks) for (const r of chunk) f(r);
  }

  private chunkOf(counter: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (chunks[mid]![0]!.counter <= counter) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
