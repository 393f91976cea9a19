/**
 * `npm run bench -- livequery [--docs N] [--updates N] [--naive N] [--relaxed]`: 10,000 todos in a replica
 * over IndexedDB in headless Chromium, 5 live queries, 1,000 single-doc updates: latency from
 * `change()` to the last affected subscriber's diff, against re-running all 5 queries after each
 * update, in the same page (browser/pages/livequery.ts).
 */
import { runInBrowser } from './browser/harness.ts';
import { printTable } from './report.ts';

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const updates = flag(args, 'updates') ?? 1_000;
  const figures = await runInBrowser('livequery', {
    docs: flag(args, 'docs') ?? 10_000,
    updates,
    naive: flag(args, 'naive') ?? updates,
    durability: args.includes('--relaxed') ? 'relaxed' : 'strict',
  });
  printTable('livequery: change() to last affected live-query diff (Chromium, IndexedDB)', figures);
  return figures;
}
