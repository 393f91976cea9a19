import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in real Chromium (`npm run test:e2e`). Each spec starts the servers it needs
 * itself, on 127.0.0.1 and free ports, and launches the system Chromium (support/chromium.ts).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 180_000,
  reporter: [['list']],
  outputDir: '../test-results/e2e',
});
