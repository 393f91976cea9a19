export {};

/**
 * `npm run bench -- NAME [args]`: runs bench/NAME.ts. Each benchmark prints a human table and
 * returns its figures; this runner prints them as the last line, one JSON object.
 */
const BENCHES = [
  'ingest',
  'merge',
  'text',
  'auth',
  'bulk',
  'livequery',
  'coldstart',
  'react',
  'relay',
  'sync',
  'devtools',
  'storm',
] as const;

const [name, ...args] = process.argv.slice(2);
if (name === undefined || !(BENCHES as readonly string[]).includes(name)) {
  console.error(`usage: npm run bench -- <${BENCHES.join('|')}> [args]`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { run(args: string[]): Promise<Record<string, unknown>> };
const figures = await mod.run(args);
console.log(JSON.stringify(figures));
