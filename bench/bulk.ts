/**
 * `npm run bench -- bulk [--docs N] [--runs N]`: 10,000 documents of 8 fields inserted in one
 * mutation and persisted to IndexedDB in headless Chromium, against Dexie `bulkPut` and raw
 * `idb` puts in one transaction, in the same page (browser/pages/bulk.ts).
 */
import { runInBrowser } from './browser/harness.ts';
import { printTable } from './report.ts';

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const figures = await runInBrowser('bulk', { docs: flag(args, 'docs') ?? 10_000, runs: flag(args, 'runs') ?? 3 });
  printTable('bulk: one-mutation insert persisted to IndexedDB (Chromium, median)', figures);
  return figures;
}
