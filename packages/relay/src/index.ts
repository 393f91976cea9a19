/**
 * @weft/relay: signaling, relay fallback and an always-on persistent peer for Weft databases,
 * with HTTP pull/push, metrics and a live status page. Run it with `npx weft-relay`.
 */
export { startRelay, type Relay, type RelayStatus } from './relay-server.ts';
export { DEFAULT_RELAY_LIMITS, CLOSE, type RelayOptions, type RelayLimits } from './relay-options.ts';
export { RelayMetrics } from './relay-metrics.ts';
export { DbRegistry, checkDbId } from './db-registry.ts';
export { openSqliteStorage } from './storage/sqlite-storage.ts';
export { openSqliteStore, type SqliteStore, type SqliteStorageOptions } from './storage/sqlite-store.ts';
