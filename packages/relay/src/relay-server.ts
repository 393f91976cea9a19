/**
 * `startRelay(options)`: the relay's HTTP server and WebSocket endpoint `/v1/db/:id/sync`, the
 * rooms of authenticated peers, and graceful shutdown.
 */
import { createServer, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import {
  decodeExportedIdentity,
  defaultEd25519,
  encodeExportedIdentity,
  exportIdentity,
  generateIdentity,
  importIdentity,
  type Identity,
  type StorageAdapter,
} from '@weft/engine';
import { DbRegistry } from './db-registry.ts';
import type { SqliteStore } from './storage/sqlite-store.ts';
import { handleHttp } from './http-routes.ts';
import { RelayConnection, type RelayContext } from './relay-connection.ts';
import { RelayRooms } from './relay-rooms.ts';
import { RelayMetrics } from './relay-metrics.ts';
import { AdmissionGate } from './admission-gate.ts';
import { CLOSE, DEFAULT_RELAY_LIMITS, type RelayOptions } from './relay-options.ts';

/** A running relay. */
export interface Relay {
  /** `http://host:port`. */
  readonly url: string;
  readonly port: number;
  readonly metrics: RelayMetrics;
  readonly registry: DbRegistry;
  /** Live status, as the status page shows it. */
  status(): RelayStatus;
  /** Stops accepting, closes every socket (1001), flushes and closes storage. */
  close(): Promise<void>;
}

/** What `/events` streams. */
export interface RelayStatus {
  readonly connections: number;
  readonly databases: number;
  readonly changesIn: number;
  readonly changesOut: number;
  readonly rooms: readonly {
    readonly db: string;
    readonly peers: readonly {
      author: string;
      transport: 'relay';
      state: string;
      bytesIn: number;
      bytesOut: number;
      lag: number;
    }[];
  }[];
}

async function relayIdentity(options: RelayOptions, dataDir: string): Promise<Identity> {
  if (options.identity !== undefined) return options.identity;
  const file = join(dataDir, 'relay-identity');
  const stored = await readFile(file, 'utf8').catch(() => undefined);
  if (stored !== undefined) return importIdentity(decodeExportedIdentity(stored.trim()));
  const identity = await generateIdentity();
  await writeFile(file, `${encodeExportedIdentity(await exportIdentity(identity))}\n`, { mode: 0o600 });
  return identity;
}

/** Starts a relay. */
export async function startRelay(options: RelayOptions = {}): Promise<Relay> {
  const limits = { ...DEFAULT_RELAY_LIMITS, ...options.limits };
  const dataDir = options.dataDir ?? 'weft-data';
  if (options.openStorage === undefined || options.identity === undefined) await mkdir(dataDir, { recursive: true });
  const identity = await relayIdentity(options, dataDir);
  // SQLite (a native module) loads only when it is the storage in use. Every database shares
  // one file and connection (storage/sqlite-store.ts): flat memory per database, shared fsyncs.
  let sqlite: Promise<SqliteStore> | undefined;
  // PostgreSQL (`pg`) likewise loads only when asked for.
  const postgres =
    options.postgres === undefined || options.openStorage !== undefined
      ? undefined
      : await import('./storage/postgres-backend.ts').then((m) =>
          m.openPostgresBackend({ url: options.postgres!, instance: identity.author }),
        );
  const openStorage =
    options.openStorage ??
    postgres?.openStorage ??
    (async (db: string): Promise<StorageAdapter> => {
      sqlite ??= import('./storage/sqlite-store.ts').then((m) => m.openSqliteStore(join(dataDir, 'relay.sqlite')));
      return (await sqlite).database(db);
    });
  const registry = new DbRegistry(
    identity,
    openStorage,
    options.allow === undefined ? null : new Set(options.allow),
    options.schema,
    postgres?.opened,
  );
  const metrics = new RelayMetrics();
  // Rooms span the relay processes sharing a PostgreSQL (storage/postgres-rooms.ts).
  const relayRooms = new RelayRooms(postgres?.rooms);
  await relayRooms.start().catch(async (err: unknown) => {
    await postgres?.close(); // the pool, the instance lock and the change LISTEN
    throw err;
  });
  const rooms = relayRooms.byDb;
  const connections = new Set<RelayConnection>();
  const sse = new Set<ServerResponse>();
  const port = await defaultEd25519();

  const admission = new AdmissionGate(limits.maxActiveSyncs, limits.maxQueuedSyncs, limits.syncQueueTimeoutMs);
  const ctx: RelayContext = {
    admission,
    serverId: identity.author,
    limits,
    metrics,
    registry,
    port,
    random: (n) => new Uint8Array(randomBytes(n)),
    presence: relayRooms.presence,
    join: (conn) => relayRooms.join(conn),
    leave: (conn) => relayRooms.leave(conn),
    route: (db, to, message) => relayRooms.route(db, to, message),
  };

  const live = (): { bytesOut: number; changesIn: number; changesOut: number; rejected: number } => {
    let bytesOut = 0;
    let changesIn = 0;
    let changesOut = 0;
    let rejected = 0;
    for (const c of connections) {
      const s = c.session?.stats;
      if (s === undefined) continue;
      bytesOut += s.bytesOut;
      changesIn += s.changesIn;
      changesOut += s.changesOut;
      rejected += s.rejectedIn;
    }
    return { bytesOut, changesIn, changesOut, rejected };
  };
  const status = (): RelayStatus => {
    const l = live();
    return {
      connections: connections.size,
      databases: registry.size,
      changesIn: metrics.changesIn + l.changesIn,
      changesOut: metrics.changesOut + l.changesOut,
      rooms: [...rooms].map(([db, conns]) => ({
        db,
        peers: [...conns].map((c) => ({
          author: c.author ?? '',
          transport: 'relay' as const,
          state: c.session?.settled === true ? 'synced' : 'syncing',
          bytesIn: c.session?.stats.bytesIn ?? 0,
          bytesOut: c.session?.stats.bytesOut ?? 0,
          lag: c.session?.lag ?? 0,
        })),
      })),
    };
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes });
  const server = createServer((req, res) => {
    metrics.httpRequests++;
    void handleHttp(req, res, {
      registry,
      limits,
      sse,
      status,
      metrics: () => {
        const l = live();
        const view = Object.assign(Object.create(RelayMetrics.prototype) as RelayMetrics, metrics, {
          bytesOut: metrics.bytesOut + l.bytesOut,
          changesIn: metrics.changesIn + l.changesIn,
          changesOut: metrics.changesOut + l.changesOut,
          changesRejected: metrics.changesRejected + l.rejected,
        });
        return view.render({
          connections: connections.size,
          rooms: rooms.size,
          databases: registry.size,
          stored: registry.storedChanges(),
          syncsActive: admission.stats.active,
          syncsQueued: admission.stats.queued,
        });
      },
    }).then((handled) => {
      if (handled) return;
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const m = /^\/v1\/db\/([^/?]+)\/sync(?:\?.*)?$/.exec(req.url ?? '');
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      if (m === null || !registry.hosts(m[1]!)) {
        ws.close(CLOSE.notHosted, 'database not hosted here');
        return;
      }
      if (connections.size >= limits.maxConnections) {
        metrics.closedOverCapacity++;
        ws.close(CLOSE.tryAgainLater, 'over capacity');
        return;
      }
      metrics.connectionsTotal++;
      const conn = new RelayConnection(ws, m[1]!, ctx);
      connections.add(conn);
      ws.on('close', (code) => {
        if (code === CLOSE.tooBig) metrics.closedTooBig++;
        connections.delete(conn);
      });
    });
  });
  const tick = setInterval(() => {
    if (sse.size === 0) return;
    const data = `data: ${JSON.stringify(status())}\n\n`;
    for (const res of sse) res.write(data);
  }, 1_000);
  tick.unref();
  // Connection upkeep: admission slots of settled sessions, unread-output caps.
  const sweep = setInterval(() => {
    for (const c of connections) c.sweep();
  }, 250);
  sweep.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('relay did not bind');
  const host = options.host ?? '127.0.0.1';

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    metrics,
    registry,
    status,
    close() {
      closing ??= (async () => {
        clearInterval(tick);
        clearInterval(sweep);
        for (const res of sse) res.end();
        for (const c of connections) c.close(CLOSE.goingAway, 'relay shutting down');
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        wss.close();
        await relayRooms.close();
        // No more fanned-in changes once the replicas start closing.
        await postgres?.stop();
        await registry.close();
        await (await sqlite?.catch(() => undefined))?.close();
        await postgres?.close();
      })();
      return closing;
    },
  };
}
