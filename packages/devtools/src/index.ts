/**
 * @weft/devtools: `<WeftDevtools client />`, a floating panel over the engine's inspect API
 * (log and DAG, docs, peers, history, why-this-value, schema). Renders nothing in production.
 */
export { WeftDevtools, DEVTOOLS_TABS, type DevtoolsTab, type WeftDevtoolsProps } from './weft-devtools.tsx';
export { isProduction, type BuildEnv } from './is-production.ts';
