/**
 * How e2e tests launch Chromium: always the system binary (never `npx playwright install`),
 * headless, and with DNS disabled for everything but loopback, so a test can only reach the
 * servers it started on 127.0.0.1.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launch arguments; the resolver rules must stay one argument. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

/** Options for `chromium.launch` / `launchPersistentContext`. */
export const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true } as const;
