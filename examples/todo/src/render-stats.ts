/**
 * Render counters for the `react` benchmark: it sets `globalThis.weftRenderStats` in a tab and
 * reads how many React commits the todo list made and how many rows rendered. Without that
 * global these are a property read and nothing else.
 */
interface RenderStats {
  commits: number;
  rows: number;
}

const g = globalThis as { weftRenderStats?: RenderStats };

/** Profiler callback of the todo list. */
export function countCommit(): void {
  if (g.weftRenderStats !== undefined) g.weftRenderStats.commits++;
}

/** Called by each row render. */
export function countRow(): void {
  if (g.weftRenderStats !== undefined) g.weftRenderStats.rows++;
}
