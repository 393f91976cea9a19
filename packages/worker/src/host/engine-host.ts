/**
 * The engine host: one replica per database name, shared by every connection (tab) of this
 * worker. A SharedWorker serves each tab's port with one; in the fallback, the leader's
 * dedicated worker serves its own tab and the forwarded followers with one.
 *
 * Invariants:
 *  1. One replica per name per host, opened once; concurrent opens share the promise, and a
 *     failed open is forgotten so the next open retries.
 *  2. Mutations of a database run one at a time, each recorded in the mutation ledger in the
 *     batch that stores its change (mutation-ledger.ts), so a retried id never signs twice.
 *  3. Every connection's subscriptions end when the connection closes; a push to a closed
 *     connection is dropped, never thrown into the engine.
 *  4. Input from a tab is checked (query shape, intents, ids) before it reaches the engine, and
 *     every failure reaches the tab as `WeftErrorData` with its code.
 */
import {
  WeftError,
  inspect,
  parseInspectRequest,
  parseQuery,
  openReplica,
  type SocketLike,
  decodeSchema,
  queriesOf,
  type ChangeHash,
  type Identity,
  type InspectRequest,
  type InspectResponse,
  type LiveDiff,
  type Query,
  type Replica,
  type ReplicaOpening,
  type Row,
  type Schema,
  type StorageAdapter,
} from '@weft/engine';
import { openIndexedDbStorage } from '../storage/indexeddb-storage.ts';
import { encodeDiff } from '../protocol/diff-codec.ts';
import { parseIntents, replayIntents, type Intent } from '../protocol/intents.ts';
import {
  toResult,
  type HostApi,
  type OpenRequest,
  type OpenResult,
  type Push,
  type Result,
  type SyncStatus,
} from '../protocol/host-api.ts';
import { IdentityStore } from './identity-store.ts';
import { MutationLedger, checkMutationId } from './mutation-ledger.ts';
import { redeemInvite } from './redeem-invite.ts';
import { DbNetwork } from './db-network.ts';
import { TextSessions } from './text-sessions.ts';
import { PresenceHub } from './presence-hub.ts';
import type { TextEdit } from '../protocol/text-ops.ts';
import type { PresenceInput } from '../protocol/presence-types.ts';
import { ConnectionCollab } from './connection-collab.ts';

/** Sends a push to one connection; `transfer` lists buffers it may move. */
export type PushFn = (push: Push, transfer: Transferable[]) => void;

/** Options for {@link EngineHost}. */
export interface EngineHostOptions {
  /** Opens the storage of database `name` (default: IndexedDB database `weft:<name>`). */
  readonly openStorage?: (name: string) => Promise<StorageAdapter>;
  /** Where the origin's identity lives. */
  readonly identities?: IdentityStore;
  /** Opens a WebSocket to a relay (default: the global `WebSocket`; tests inject one). */
  readonly openSocket?: (url: string) => SocketLike;
  /**
   * IndexedDB durability of commits (default `relaxed`, the browser's own default): a tab's
   * write survives a tab or browser crash, and skips the fsync that would cost it a frame.
   * Only an OS crash can lose the newest writes; sync must flush with `strict` before it
   * acknowledges anything to a peer (DESIGN §5).
   */
  readonly durability?: 'strict' | 'relaxed';
}

interface OpenDb {
  readonly name: string;
  readonly replica: Replica;
  readonly ledger: MutationLedger;
  readonly schema: Schema | undefined;
  readonly result: OpenResult;
  /** Tail of the mutation queue (invariant 2). */
  queue: Promise<unknown>;
  readonly statusWatchers: Set<PushFn>;
  statusTimer: ReturnType<typeof setTimeout> | undefined;
  /** Relay link, WebRTC sessions and signaling (db-network.ts). */
  readonly net: DbNetwork;
  /** Text fields tabs edit through the host (text-sessions.ts). */
  readonly text: TextSessions;
  /** Tabs' and peers' presence (presence-hub.ts). */
  readonly presence: PresenceHub;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !NAME.test(name))
    throw new WeftError('E_INVALID_ARGUMENT', 'a database name is 1-64 characters of [A-Za-z0-9_.-]');
}

/** Hosts replicas for any number of connections. */
export class EngineHost {
  private readonly dbs = new Map<string, Promise<OpenDb>>();
  /** Databases still loading, whose first screens storage can answer (replica-opening.ts). */
  private readonly openings = new Map<string, Promise<ReplicaOpening | undefined>>();
  private readonly identities: IdentityStore;
  private identity: Identity | undefined;

  constructor(private readonly options: EngineHostOptions = {}) {
    this.identities = options.identities ?? new IdentityStore();
  }

  /** A connection: the API one tab (or forwarded follower) calls, with its push channel. */
  connect(push: PushFn): HostConnection {
    return new HostConnection(this, push);
  }

  /** Opens (once) the database of `req.name` (invariant 1). */
  open(req: OpenRequest): Promise<OpenDb> {
    checkName(req.name);
    let p = this.dbs.get(req.name);
    if (p === undefined) {
      p = this.openNew(req);
      p.catch(() => this.dbs.delete(req.name));
      this.dbs.set(req.name, p);
    }
    return p.then((db) => {
      const schemaHash = req.schema === null ? null : decodeSchema(req.schema).hash;
      if (schemaHash !== db.result.schemaHash)
        throw new WeftError('E_SCHEMA', `database "${req.name}" is open with another schema; reload every tab`);
      return db;
    });
  }

  /**
   * The rows of `query` from storage while database `name` is still loading, when storage can
   * answer them exactly; `undefined` otherwise (then subscribe once it has loaded).
   */
  peek(name: string, query: Query): Promise<Row[] | undefined> {
    const opening = this.openings.get(name);
    return opening === undefined ? Promise.resolve(undefined) : opening.then((o) => o?.peek(query));
  }

  /** An open database, or `E_NOT_FOUND` when this connection never opened it. */
  get(name: string): Promise<OpenDb> {
    const p = this.dbs.get(name);
    if (p === undefined) throw new WeftError('E_NOT_FOUND', `database "${name}" is not open`);
    return p;
  }

  private async openNew(req: OpenRequest): Promise<OpenDb> {
    // Set now, before the awaits below, so a subscription that arrives meanwhile finds it.
    let found!: (o: ReplicaOpening | undefined) => void;
    this.openings.set(req.name, new Promise((r) => (found = r)));
    try {
      return await this.openDb(req, found);
    } finally {
      found(undefined);
      this.openings.delete(req.name);
    }
  }

  private async openDb(req: OpenRequest, found: (o: ReplicaOpening) => void): Promise<OpenDb> {
    const schema = req.schema === null ? undefined : decodeSchema(req.schema);
    const identity = await this.identities.get(req.identity);
    this.identity ??= identity;
    const storage = await (this.options.openStorage ?? ((n) => openIndexedDbStorage(`weft:${n}`)))(req.name);
    const opening = openReplica({
      identity,
      storage,
      ...(schema === undefined ? {} : { schema }),
      ...(req.db === null
        ? { create: { name: req.name, encrypted: req.encrypted === true } }
        : { db: req.db as OpenResult['db'] }),
      durability: this.options.durability ?? 'relaxed',
    });
    found(opening);
    const replica = await opening.replica;
    const ledger = new MutationLedger(storage);
    await replica.use(ledger);
    const openSocket = this.options.openSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
    // Filled in below: the network reports changes through the db's status timer.
    const holder: { db?: OpenDb } = {};
    const text = new TextSessions(replica);
    const presence = new PresenceHub(req.name, replica, text);
    const net = new DbNetwork(
      req.name,
      replica,
      identity,
      openSocket,
      () => holder.db && this.scheduleStatus(holder.db),
      presence,
    );
    const db: OpenDb = {
      name: req.name,
      replica,
      ledger,
      schema,
      result: { db: replica.dbId, author: replica.author as OpenResult['author'], schemaHash: schema?.hash ?? null },
      queue: Promise.resolve(),
      statusWatchers: new Set(),
      statusTimer: undefined,
      net,
      text,
      presence,
    };
    holder.db = db;
    replica.onCommit(() => this.scheduleStatus(db));
    return db;
  }

  /** Runs one mutation (invariant 2). */
  mutate(db: OpenDb, mutationId: string, intents: readonly Intent[], retry: boolean): Promise<ChangeHash> {
    const run = async (): Promise<ChangeHash> => {
      // Only a re-sent mutation can already be stored: skip the read on the hot path.
      const done = retry ? await db.ledger.lookup(mutationId) : undefined;
      if (done !== undefined) return done;
      await db.replica.flush();
      return db.ledger.record(mutationId, () => db.replica.change((tx) => replayIntents(tx, intents)));
    };
    const p = db.queue.then(run, run);
    db.queue = p.catch(() => undefined);
    return p;
  }

  status(db: OpenDb): SyncStatus {
    return db.net.status();
  }

  /** @internal */
  scheduleStatus(db: OpenDb): void {
    if (db.statusWatchers.size === 0 || db.statusTimer !== undefined) return;
    db.statusTimer = setTimeout(() => {
      db.statusTimer = undefined;
      const status = this.status(db);
      for (const push of db.statusWatchers) safePush(push, { weft: 'status', name: db.name, status }, []);
    }, 50);
  }

  /** The identity of this host's replicas (the first one opened). */
  async exportIdentity(): Promise<string> {
    return this.identities.export(this.identity ?? (await this.identities.get()));
  }

  /** Closes every replica (tests; a worker normally just dies). */
  async close(): Promise<void> {
    const dbs = [...this.dbs.values()];
    this.dbs.clear();
    for (const p of dbs) {
      const db = await p.catch(() => undefined);
      db?.net.close();
      db?.text.dispose();
      db?.presence.dispose();
      await db?.replica.close();
    }
  }
}

function safePush(push: PushFn, msg: Push, transfer: Transferable[]): void {
  try {
    push(msg, transfer);
  } catch {
    // Invariant 3: a dead channel must not break the engine's commit path.
  }
}

/** The diff that shows `rows` as a subscription's whole result. */
function initialDiff(rows: readonly Row[]): LiveDiff {
  return {
    added: rows.map((row, index) => ({ id: row.id, index, row })),
    removed: [],
    changed: [],
    moved: [],
    result: rows,
    initial: true,
  };
}

/** One connection's view of the host (the object comlink exposes). */
export class HostConnection implements HostApi {
  private readonly subs = new Map<string, () => void>();
  private readonly watching = new Set<OpenDb>();
  private readonly networks = new Set<OpenDb>();
  private closed = false;
  /** Text subscriptions and presence of this connection (connection-collab.ts). */
  private readonly collab: ConnectionCollab;

  constructor(
    private readonly host: EngineHost,
    private readonly push: PushFn,
  ) {
    this.collab = new ConnectionCollab(push);
  }

  /** Live queries open on this connection. */
  get liveCount(): number {
    return this.subs.size;
  }

  private checkOpen(): void {
    if (this.closed) throw new WeftError('E_CLOSED', 'connection closed');
  }

  open(req: OpenRequest): Promise<Result<OpenResult>> {
    return toResult(async () => {
      this.checkOpen();
      if (typeof req !== 'object' || req === null) throw new WeftError('E_INVALID_ARGUMENT', 'open needs a request');
      const db = await this.host.open(req);
      if (typeof req.relay === 'string') db.net.linkRelay(req.relay);
      return db.result;
    });
  }

  mutate(name: string, mutationId: string, intents: readonly Intent[], retry = false): Promise<Result<ChangeHash>> {
    return toResult(async () => {
      this.checkOpen();
      checkMutationId(mutationId);
      const parsed = parseIntents(intents);
      return this.host.mutate(await this.host.get(name), mutationId, parsed, retry === true);
    });
  }

  query(name: string, query: Query): Promise<Result<Row[]>> {
    return toResult(async () => {
      this.checkOpen();
      parseQuery(query);
      return queriesOf((await this.host.get(name)).replica).run(query);
    });
  }

  inspect(name: string, request: InspectRequest): Promise<Result<InspectResponse>> {
    return toResult(async () => {
      this.checkOpen();
      checkName(name);
      // Parsed before the database is looked up: a bad request is the caller's error either way.
      const req = parseInspectRequest(request);
      const db = await this.host.get(name);
      return inspect({ replica: db.replica, schema: db.schema }, req);
    });
  }

  subscribe(name: string, sub: string, query: Query): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > 64)
        throw new WeftError('E_INVALID_ARGUMENT', 'a subscription id is 1-64 characters');
      // Idempotent: a follower replaying its session after a failover may repeat a subscribe.
      this.subs.get(sub)?.();
      this.subs.delete(sub);
      parseQuery(query);
      const opened = this.host.get(name);
      // Until the live query starts, this entry cancels the subscription (an unsubscribe or a
      // repeated subscribe while the database loads).
      const st: { state: 'waiting' | 'live' | 'cancelled' } = { state: 'waiting' };
      this.subs.set(sub, () => (st.state = 'cancelled'));
      const send = (diff: LiveDiff): void => {
        const bytes = encodeDiff(diff);
        safePush(this.push, { weft: 'diff', sub, bytes }, [bytes.buffer as ArrayBuffer]);
      };
      // A first screen from storage while the database loads; the live query's initial diff
      // replaces it once the replica is ready (the tab applies `initial` diffs from scratch).
      void this.host
        .peek(name, query)
        .then((rows) => {
          if (rows !== undefined && st.state === 'waiting' && !this.closed) send(initialDiff(rows));
        })
        .catch(() => undefined);
      const db = await opened;
      this.checkOpen();
      if (st.state === 'cancelled') return null;
      st.state = 'live';
      this.subs.set(sub, db.replica.subscribe(query, send));
      return null;
    });
  }

  unsubscribe(sub: string): Promise<Result<null>> {
    return toResult(() => {
      this.subs.get(sub)?.();
      this.subs.delete(sub);
      return null;
    });
  }

  watchStatus(name: string): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      db.statusWatchers.add(this.push);
      this.watching.add(db);
      safePush(this.push, { weft: 'status', name, status: this.host.status(db) }, []);
      return null;
    });
  }

  exportIdentity(): Promise<Result<string>> {
    return toResult(() => this.host.exportIdentity());
  }

  watchNetwork(name: string): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      db.net.watch(this.push);
      this.networks.add(db);
      return null;
    });
  }

  sendSignal(name: string, to: string, data: unknown): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      (await this.host.get(name)).net.signal(to, data);
      return null;
    });
  }

  attachPeer(name: string, peer: string, port: MessagePort): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      db.net.attachPeer(peer, port, this.push);
      this.networks.add(db);
      return null;
    });
  }

  setOnline(name: string, online: boolean): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      if (typeof online !== 'boolean') throw new WeftError('E_INVALID_ARGUMENT', 'online must be a boolean');
      (await this.host.get(name)).net.setOnline(online);
      return null;
    });
  }

  redeemInvite(name: string, secret: string, list: string, members: string, scope?: string): Promise<Result<string>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      return redeemInvite(db.replica, db.schema, secret, list, members, scope ?? 'list');
    });
  }

  manageKeys(
    name: string,
    request: { readonly share?: readonly string[]; readonly rotateExclude?: readonly string[] },
  ): Promise<Result<string | null>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      const r = (typeof request === 'object' && request !== null ? request : {}) as typeof request;
      // Through the mutation queue, so a key change is ordered with the tab's writes.
      const run = async (): Promise<string | null> => {
        // A no-op without encryption, so apps may call it after every grant and revocation.
        if (!db.replica.encrypted) return null;
        await db.replica.flush();
        if (r.rotateExclude === undefined) return (await db.replica.shareKey(r.share ?? [])) ?? null;
        const keys = {
          rotateKey: { exclude: r.rotateExclude },
          ...(r.share === undefined ? {} : { shareKey: r.share }),
        };
        return (await db.replica.keysChange(keys)) ?? null;
      };
      const p = db.queue.then(run, run);
      db.queue = p.catch(() => undefined);
      return p;
    });
  }

  openText(name: string, sub: string, collection: string, id: string, field: string): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      const db = await this.host.get(name);
      this.checkOpen();
      this.collab.openText(db, sub, collection, id, field);
      return null;
    });
  }

  closeText(_name: string, sub: string): Promise<Result<null>> {
    return toResult(() => {
      this.collab.closeText(sub);
      return null;
    });
  }

  editText(name: string, sub: string, base: number, edits: readonly TextEdit[]): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      this.collab.editText(await this.host.get(name), sub, base, edits);
      return null;
    });
  }

  setPresence(name: string, presence: PresenceInput | null): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      this.collab.setPresence(await this.host.get(name), presence);
      return null;
    });
  }

  watchPresence(name: string): Promise<Result<null>> {
    return toResult(async () => {
      this.checkOpen();
      this.collab.watchPresence(await this.host.get(name));
      return null;
    });
  }

  /** Ends every subscription of this connection (invariant 3). */
  close(): void {
    this.closed = true;
    this.collab.close();
    for (const stop of this.subs.values()) stop();
    this.subs.clear();
    for (const db of this.watching) db.statusWatchers.delete(this.push);
    this.watching.clear();
    for (const db of this.networks) db.net.unwatch(this.push);
    this.networks.clear();
  }
}
