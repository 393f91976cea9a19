/**
 * A Vite dev server for one e2e page, in this process: bound to 127.0.0.1 on a free port (the
 * machine is shared, so no fixed port), with its own dependency cache and every dependency
 * pre-bundled up front, so no mid-test "optimized dependencies changed" reload can happen.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type ViteDevServer } from 'vite';

/** A running server. */
export interface PageServer {
  /** Base URL, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  close(): Promise<void>;
}

const REPO = resolve(import.meta.dirname, '../..');

/** Dependencies the engine and the IndexedDB adapter import (pre-bundled). */
export const ENGINE_DEPS = ['@noble/curves/ed25519.js', '@noble/curves/utils.js', '@noble/hashes/sha2.js', 'idb'];

/** Serves `root` (a directory with an index.html). */
export async function startPageServer(root: string, include: readonly string[] = ENGINE_DEPS): Promise<PageServer> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'weft-vite-'));
  const server = await createServer({
    configFile: false,
    root,
    cacheDir,
    logLevel: 'warn',
    clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, fs: { allow: [REPO] }, hmr: false },
    optimizeDeps: { include: [...include], noDiscovery: true },
  });
  return listening(server, cacheDir);
}

/** Starts `server` and describes it; closing it also removes `cacheDir`. */
export async function listening(server: ViteDevServer, cacheDir: string): Promise<PageServer> {
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
