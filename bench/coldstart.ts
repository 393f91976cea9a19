/**
 * `npm run bench -- coldstart [--docs N] [--rounds N] [--batch N]`: a database of 100,000 docs
 * built from docs × rounds ops (default 1,000,000, in changes of 1,000 ops) persisted to
 * IndexedDB with an index on the queried field; then, after reloading the page in the same
 * browser context, the time from opening the replica to the first result of an indexed query
 * returning 50 docs, against `getAll` of a raw `idb` store of the same docs
 * (browser/pages/coldstart.ts).
 */
import { runInBrowser } from './browser/harness.ts';
import { printTable } from './report.ts';

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const figures = await runInBrowser(
    'coldstart',
    { docs: flag(args, 'docs') ?? 100_000, rounds: flag(args, 'rounds') ?? 10, batch: flag(args, 'batch') ?? 1_000 },
    { timeoutMs: 30 * 60_000 },
  );
  printTable('coldstart: open replica over IndexedDB to first indexed query result (Chromium)', figures);
  return figures;
}
