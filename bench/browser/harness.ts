/**
 * Browser benchmark harness: serves bench/browser with Vite on 127.0.0.1 (free port, own
 * dependency cache, everything pre-bundled so no reload happens mid-run), drives the system
 * Chromium headless through Playwright, runs `pages/NAME.ts`'s `run(args)` inside the page and
 * returns its figures.
 *
 * Adding a browser benchmark (e.g. `livequery`, `coldstart`): write `pages/NAME.ts` exporting
 * `run(args): Promise<Record<string, unknown>>` (browser code: IndexedDB, the engine, anything in
 * BROWSER_DEPS), and a `bench/NAME.ts` whose `run` calls `runInBrowser('NAME', args)` and prints
 * the table. Page console output is echoed here with a `[page]` prefix.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright';
import { createServer } from 'vite';
import { launchOptions } from '../../e2e/support/chromium.ts';

const ROOT = import.meta.dirname;
const REPO = resolve(ROOT, '../..');

/** The system Chromium with the e2e tests' flags (never `npx playwright install`). */
const LAUNCH = launchOptions;

/** Dependencies bench pages import; pre-bundled before the page loads. */
export const BROWSER_DEPS = [
  '@noble/curves/ed25519.js',
  '@noble/curves/utils.js',
  '@noble/hashes/sha2.js',
  'idb',
  'dexie',
  'simple-peer/simplepeer.min.js',
  // The devtools bench renders the React panel.
  'react',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'react-dom/client',
  '@tanstack/react-virtual',
];

/** Options for {@link runInBrowser}. */
export interface BrowserRunOptions {
  /** Give up after this long (default 10 minutes). */
  readonly timeoutMs?: number;
  /** Echo the page's console (default true). */
  readonly echo?: boolean;
}

/** Runs `pages/<name>.ts` in a fresh headless Chromium (fresh profile, empty IndexedDB). */
export async function runInBrowser(
  name: string,
  args: Record<string, unknown> = {},
  options: BrowserRunOptions = {},
): Promise<Record<string, unknown>> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'weft-bench-vite-'));
  const server = await createServer({
    configFile: false,
    root: ROOT,
    cacheDir,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, fs: { allow: [REPO] }, hmr: false },
    optimizeDeps: { include: BROWSER_DEPS, noDiscovery: true },
  });
  const browser = await chromium.launch(LAUNCH).catch(async (err: unknown) => {
    await server.close();
    throw err;
  });
  try {
    await server.listen();
    const address = server.httpServer?.address();
    if (address === null || address === undefined || typeof address === 'string') throw new Error('vite did not bind');
    const page = await browser.newPage();
    page.setDefaultTimeout(options.timeoutMs ?? 600_000);
    if (options.echo !== false) page.on('console', (m) => console.log(`[page] ${m.text()}`));
    const errors: Error[] = [];
    page.on('pageerror', (e) => errors.push(e));
    await page.goto(`http://127.0.0.1:${address.port}/index.html`);
    await page.waitForFunction(() => 'weftBench' in globalThis);
    // WEFT_BENCH_PROFILE=file.cpuprofile: a CPU profile of the page's main thread over the run
    // (open it in Chrome DevTools' Performance panel), to see where a browser benchmark's time goes.
    const profileTo = process.env.WEFT_BENCH_PROFILE;
    const cdp = profileTo === undefined ? undefined : await page.context().newCDPSession(page);
    await cdp?.send('Profiler.enable');
    await cdp?.send('Profiler.start');
    const figures = await page.evaluate(
      ([n, a]) =>
        (
          globalThis as unknown as {
            weftBench: { run(name: string, args: unknown): Promise<Record<string, unknown>> };
          }
        ).weftBench.run(n, a),
      [name, args] as const,
    );
    if (cdp !== undefined && profileTo !== undefined) {
      const { profile } = await cdp.send('Profiler.stop');
      await writeFile(profileTo, JSON.stringify(profile));
      console.log(`CPU profile of the page written to ${profileTo}`);
    }
    if (errors.length > 0) throw errors[0]!;
    return figures;
  } finally {
    await browser.close();
    await server.close();
    await rm(cacheDir, { recursive: true, force: true });
  }
}
