/**
 * The examples app (root vite.config.ts) served for e2e tests: on 127.0.0.1, a free port, and
 * its own dependency cache, with every dependency pre-bundled up front.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, createServer, preview } from 'vite';
import { listening, type PageServer } from './vite-server.ts';

const REPO = resolve(import.meta.dirname, '../..');

/** Starts the examples server. */
export async function startExamplesServer(): Promise<PageServer> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'weft-vite-examples-'));
  const server = await createServer({
    configFile: resolve(REPO, 'vite.config.ts'),
    cacheDir,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    optimizeDeps: { noDiscovery: true },
  });
  return listening(server, cacheDir);
}

/**
 * The examples as users ship them: a production build (minified, React's production build, no
 * StrictMode double renders) served by `vite preview`. Benchmarks measure this one.
 */
export async function startExamplesPreview(): Promise<PageServer> {
  const outDir = await mkdtemp(join(tmpdir(), 'weft-examples-build-'));
  const configFile = resolve(REPO, 'vite.config.ts');
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('vite preview did not bind');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    async close() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
