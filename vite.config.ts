/**
 * The examples as one multi-page Vite app (`npm start`): `/todo/` today, more examples beside it.
 * Bound to 127.0.0.1; the engine, worker and React packages are served from source.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = resolve(import.meta.dirname, 'examples');

/** Dependencies pre-bundled up front, so no mid-session reload re-optimizes them. */
export const PREBUNDLE = [
  'react',
  'react-dom',
  'react-dom/client',
  'react/jsx-runtime',
  'react/jsx-dev-runtime',
  'comlink',
  'idb',
  '@noble/curves/ed25519.js',
  '@noble/curves/utils.js',
  '@noble/hashes/sha2.js',
  'simple-peer/simplepeer.min.js',
  '@codemirror/state',
  '@codemirror/view',
  '@codemirror/commands',
];

export default defineConfig({
  root,
  plugins: [react()],
  server: { host: '127.0.0.1', port: Number(process.env.PORT ?? 5173), strictPort: false },
  preview: { host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { include: PREBUNDLE },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/examples'),
    emptyOutDir: true,
    rollupOptions: {
      input: {
        index: resolve(root, 'index.html'),
        todo: resolve(root, 'todo/index.html'),
        notes: resolve(root, 'notes/index.html'),
      },
    },
  },
});
