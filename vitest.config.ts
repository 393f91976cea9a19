import { playwright } from '@vitest/browser-playwright';
import { configDefaults, defineConfig } from 'vitest/config';

const BROWSER_TESTS = 'packages/*/src/**/*.browser.test.{ts,tsx}';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, BROWSER_TESTS],
          typecheck: {
            enabled: true,
            include: ['packages/*/src/**/*.test-d.ts'],
            // The root tsconfig only lists references; check with the engine's test project.
            tsconfig: 'packages/engine/tsconfig.test.json',
          },
        },
      },
      {
        extends: true,
        // Bind to loopback only: the sandbox has no network and Chromium resolves nothing else.
        server: { host: '127.0.0.1' },
        // Pre-bundle up front so a dependency found mid-run cannot force a page reload.
        optimizeDeps: { include: ['fast-check'] },
        test: {
          name: 'browser',
          include: [BROWSER_TESTS],
          browser: {
            enabled: true,
            headless: true,
            api: { host: '127.0.0.1' },
            provider: playwright({
              launchOptions: {
                // The system Chromium from apt; never `npx playwright install` here.
                executablePath: '/usr/bin/chromium',
                args: [
                  '--no-sandbox', // we run as root
                  '--headless=new',
                  '--disable-gpu',
                  '--disable-dev-shm-usage',
                  // No DNS lookups at all: everything but loopback fails fast.
                  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
                ],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
