/** Relay configuration: every limit configurable, with safe defaults (DESIGN §9). */
import type { Identity, Schema, StorageAdapter } from '@weft/engine';

/** Options for {@link startRelay}. */
export interface RelayOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string;
  /** Listen port (default 8787; 0 picks a free one). */
  readonly port?: number;
  /** Where databases live (default `./weft-data`); ignored when `openStorage` is given. */
  readonly dataDir?: string;
  /** Storage of database `db` (default: a SQLite file in `dataDir`). */
  readonly openStorage?: (db: string) => Promise<StorageAdapter>;
  /**
   * Store every database in this PostgreSQL (`postgres://…`) instead of SQLite. Several relay
   * processes may share it: new changes fan out between them (LISTEN/NOTIFY), so clients of one
   * database can sit on different processes. Each process needs its own `dataDir` (its identity
   * names its rows). See docs/DEPLOY.md.
   */
  readonly postgres?: string;
  /** The relay's own identity (default: stored in `dataDir`, created once). */
  readonly identity?: Identity;
  /** Host only these database ids (default: open hosting). */
  readonly allow?: readonly string[];
  /**
   * The app schema this relay enforces, rules included, on every change it stores (like any
   * replica with the schema). Without one the relay verifies signatures, hashes, chains and
   * equivocation only, since it cannot know an app's rules.
   */
  readonly schema?: Schema;
  readonly limits?: Partial<RelayLimits>;
}

/** Hardening limits. */
export interface RelayLimits {
  /** Largest WebSocket frame (bytes); bigger frames close the socket with 1009. */
  readonly maxFrameBytes: number;
  /** Bytes a client may send before it has authenticated; more closes it with 1008. */
  readonly preAuthBytes: number;
  /** Time a client has to authenticate (ms). */
  readonly authTimeoutMs: number;
  /** Messages per second per connection (token bucket), and the burst above that. */
  readonly messagesPerSecond: number;
  readonly messageBurst: number;
  /** Bytes per second per connection, and the burst. */
  readonly bytesPerSecond: number;
  readonly bytesBurst: number;
  /** Open connections; more are closed with 1013 (try again later). */
  readonly maxConnections: number;
  /** Largest HTTP request body (bytes). */
  readonly maxBodyBytes: number;
  /** Changes per HTTP pull response. */
  readonly pullBatch: number;
  /** Credit window of each sync session (changes in flight toward the relay). */
  readonly syncWindow: number;
  /** Sync sessions catching up at once; later ones wait (admission-gate.ts). */
  readonly maxActiveSyncs: number;
  /** Authenticated connections waiting for a sync slot; more are closed with 1013. */
  readonly maxQueuedSyncs: number;
  /** Longest wait for a sync slot (ms) before closing with 1013. */
  readonly syncQueueTimeoutMs: number;
  /** Unread output a socket may hold (bytes); more closes it with 1013 (a client not reading). */
  readonly maxBufferedBytes: number;
}

/** The defaults. */
export const DEFAULT_RELAY_LIMITS: RelayLimits = {
  maxFrameBytes: 4 * 1024 * 1024,
  preAuthBytes: 16 * 1024,
  authTimeoutMs: 10_000,
  messagesPerSecond: 500,
  messageBurst: 2_000,
  bytesPerSecond: 8 * 1024 * 1024,
  bytesBurst: 32 * 1024 * 1024,
  maxConnections: 10_000,
  maxBodyBytes: 8 * 1024 * 1024,
  pullBatch: 1_000,
  syncWindow: 256,
  maxActiveSyncs: 64,
  maxQueuedSyncs: 1_024,
  syncQueueTimeoutMs: 30_000,
  maxBufferedBytes: 32 * 1024 * 1024,
};

/** WebSocket close codes the relay uses. */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  protocol: 1002,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
  authFailed: 4001,
  notHosted: 4004,
} as const;
