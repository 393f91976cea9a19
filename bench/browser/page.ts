/// <reference types="vite/client" />
/**
 * Entry of the benchmark page: exposes `weftBench.run(name, args)`, which loads
 * `pages/<name>.ts` and runs it. The harness (harness.ts) calls it through Playwright.
 */
type BenchPage = { run(args: Record<string, unknown>): Promise<Record<string, unknown>> };

const pages = import.meta.glob<BenchPage>('./pages/*.ts');

async function run(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const load = pages[`./pages/${name}.ts`];
  if (load === undefined) throw new Error(`no browser bench page ${name}`);
  return (await load()).run(args);
}

(globalThis as { weftBench?: unknown }).weftBench = { run };
