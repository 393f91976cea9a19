/**
 * Whether this is a production build. Vite replaces `import.meta.env` at build time, so in a
 * production bundle `<WeftDevtools>` renders nothing. The expression is spelled exactly
 * `import.meta.env` (no optional chaining) for that replacement to match, and read through a
 * cast so the devtools declare no Vite `ImportMeta` types for the apps compiling them.
 */

/** The part of Vite's `import.meta.env` read here. */
export interface BuildEnv {
  readonly PROD?: unknown;
}

function buildEnv(): BuildEnv | undefined {
  try {
    return (import.meta as unknown as { env: BuildEnv }).env;
  } catch {
    // Not built by Vite: no `import.meta.env`, so nothing says this is production.
    return undefined;
  }
}

/** True in a production build; `env` defaults to this module's `import.meta.env`. */
export function isProduction(env: BuildEnv | undefined = buildEnv()): boolean {
  const prod = env?.PROD;
  // Vite sets a boolean; a stubbed env (vitest's `stubEnv`) holds strings such as "1".
  return prod === true || prod === 'true' || prod === '1';
}
