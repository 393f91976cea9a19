/**
 * The examples app (root vite.config.ts) served for e2e tests: on 127.0.0.1, a free port, and
 * its own dependency cache, with every dependency pre-bundled up front.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'vite';
import type { PageServer } from './vite-server.ts';

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
  await server.listen();
  const address = server.httpServer?.address();
  if (address === null || address === undefined || typeof address === 'string') throw new Error('vite did not bind');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    async close() {
      await server.close();
      await rm(cacheDir, { recursive: true, force: true });
    },
  };
}
