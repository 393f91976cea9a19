/**
 * `npm run bench -- devtools [--changes N]`: a database of 100,000 signed changes in IndexedDB,
 * opened by the real SharedWorker host in headless Chromium, with `<WeftDevtools>` mounted.
 * Reports the time from opening the panel (Log tab) to its first rows painted, and from
 * scrolling to the middle of the history to those rows painted (browser/pages/devtools.ts).
 *
 * Targets (issue 8): open_ms <= 500 and jump_ms <= 500.
 */
import { runInBrowser } from './browser/harness.ts';
import { printTable } from './report.ts';

function flag(args: string[], name: string): number | undefined {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : Number(args[i + 1]);
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const changes = flag(args, 'changes') ?? 100_000;
  const page = await runInBrowser('devtools', { changes }, { timeoutMs: 20 * 60_000 });
  printTable('devtools: open the panel on the Log tab, jump to the middle (SharedWorker, IndexedDB)', page);
  return { bench: 'devtools', changes: page.changes, open_ms: page.open_ms, jump_ms: page.jump_ms };
}
