/**
 * How e2e tests launch Chromium: always the system binary (never `npx playwright install`),
 * headless, and with DNS disabled for everything but loopback, so a test can only reach the
 * servers it started on 127.0.0.1.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Chromium honours only its last `--disable-features`, and Playwright passes its own list: this is
 * a copy of Playwright's (1.65) plus `WebRtcHideLocalIpsWithMdns`, so ICE offers plain host
 * candidates and sends no mDNS multicast.
 */
const DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
  'WebRtcHideLocalIpsWithMdns',
];

/** Launch arguments; the resolver rules and the feature list must each stay one argument. */
export const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
  `--disable-features=${DISABLED_FEATURES.join(',')}`,
];

/** Options for `chromium.launch` / `launchPersistentContext`. */
export const launchOptions = { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true } as const;
