/**
 * The page-side client: `createClient({ name, schema })` connects to the host (SharedWorker, or
 * the dedicated-worker fallback), opens the database there and hands out mutations, one-shot
 * queries and live query observers. Nothing here touches IndexedDB or keys: the host does.
 *
 * Invariants:
 *  1. Every host error reaches the app as a {@link WeftError} with its code (host-api.ts).
 *  2. One observer per distinct query per client, so components reading the same query share
 *     one host subscription; an observer leaves the cache when its subscription stops.
 *  3. A mutation's intents are recorded synchronously in the page; `fn` throwing rejects the
 *     mutation before anything is sent.
 */
import {
  WeftError,
  encode,
  encodeSchema,
  toBase64Url,
  type CanonicalValue,
  type ChangeHash,
  type InspectRequest,
  type InspectResponseOf,
  type Query,
  type QueryBuilder,
  type Row,
  type Schema,
  type SchemaShape,
} from '@weft/engine';
import { transfer } from 'comlink';
import { unwrap, type NetPush, type OpenResult, type Push, type Result } from '../protocol/host-api.ts';
import { IntentRecorder, type Intent, type MutationTx } from '../protocol/intents.ts';
import { holdTabLock, newTabLock } from '../host/tab-lock.ts';
import { connectHost, type HostLink } from './host-link.ts';
import { QueryObserver, type LiveQueryHost } from './query-observer.ts';
import { StatusObserver } from './status-observer.ts';
import { TextObserver, type TextHost } from './text-observer.ts';
import { PresenceObserver } from './presence-observer.ts';
import type { TextPush } from '../protocol/host-api.ts';
import type { TextEdit } from '../protocol/text-ops.ts';

/** Options for {@link createClient}. */
export interface ClientOptions<S> {
  /** Local database name. */
  readonly name: string;
  /** The app's schema (enforced by the host on every change). */
  readonly schema?: S;
  /** An exported identity (`weft-key-v1:…`) to sign with; default: this origin's own, created once. */
  readonly identity?: string;
  /** Join this database id when `name` is new here (an invite); default: create a new one. */
  readonly db?: string;
  /** The host to talk to; default {@link connectHost}. */
  readonly link?: HostLink;
  /** A relay (`http://host:port`) to sync through: persistent peer and fallback transport. */
  readonly relay?: string;
  /**
   * Create the database end-to-end encrypted (when `name` is new here and `db` is not given):
   * relays store ciphertext only; members get the key with {@link WeftClient.manageKeys}.
   */
  readonly encrypted?: boolean;
}

function randomId(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The spec of a query or builder. */
export function specOf(q: Query | QueryBuilder): Query {
  return 'spec' in q ? q.spec : q;
}

/** A connected database. `S` is the schema type (`typeof schema`). */
export class WeftClient<S = unknown> implements LiveQueryHost, TextHost {
  /** Resolves once the host has opened the database. */
  readonly ready: Promise<OpenResult>;
  /** Settles once the open request is on its way to the host (or the open failed before). */
  private readonly openPosted: Promise<void>;
  private opened: OpenResult | undefined;
  private readonly observers = new Map<string, QueryObserver>();
  private readonly diffSinks = new Map<string, (bytes: Uint8Array) => void>();
  /** Sync status and peers, kept current by the host. */
  readonly status = new StatusObserver();
  /** Who else is here, and this tab's own presence (presence-observer.ts). */
  readonly presence = new PresenceObserver({
    watchPresence: async () => {
      await this.ready;
      unwrap(await this.link.api.watchPresence(this.options.name));
    },
    sendPresence: async (p) => {
      await this.ready;
      unwrap(await this.link.api.setPresence(this.options.name, p));
    },
  });
  private readonly texts = new Map<string, { observer: TextObserver; refs: number }>();
  private readonly textSinks = new Map<string, (p: TextPush) => void>();
  private readonly unlisten: () => void;
  private nextSub = 0;
  private readonly tabLock = newTabLock();
  private closed = false;
  /** This tab's unsettled mutations, shown optimistically (optimistic.ts). */
  private readonly pending: Intent[][] = [];
  private pendingFlat: readonly Intent[] = [];

  constructor(
    private readonly options: ClientOptions<S>,
    readonly link: HostLink,
  ) {
    this.unlisten = link.onPush((p) => this.onPush(p));
    let posted!: () => void;
    this.openPosted = new Promise((r) => (posted = r));
    this.ready = this.open(posted);
    // Settled either way: a failed open is reported through `ready`.
    this.ready.finally(posted).catch(() => undefined);
    // Unhandled-rejection noise is the app's to see through `ready` or the first call.
    this.ready.catch(() => undefined);
    this.followNetwork();
  }

  private async open(posted: () => void): Promise<OpenResult> {
    await holdTabLock(this.tabLock);
    unwrap(await this.link.api.attach(this.tabLock));
    const schema = this.options.schema as Schema<SchemaShape> | undefined;
    const opening = this.link.api.open({
      name: this.options.name,
      schema: schema === undefined ? null : encodeSchema(schema),
      identity: this.options.identity ?? null,
      db: this.options.db ?? null,
      relay: this.options.relay ?? null,
      ...(this.options.encrypted === true ? { encrypted: true } : {}),
    });
    // The host now knows this database is opening: live queries may subscribe (startLive).
    posted();
    const result = unwrap(await opening);
    this.opened = result;
    unwrap(await this.link.api.watchStatus(this.options.name));
    return result;
  }

  /** Tells the host when the device goes offline or online (host-api.ts `setOnline`). */
  private followNetwork(): void {
    const g = globalThis as { addEventListener?: (t: string, l: () => void) => void; navigator?: { onLine?: boolean } };
    if (typeof g.addEventListener !== 'function') return;
    const tell = (): void => {
      const online = g.navigator?.onLine !== false;
      void this.ready
        .then(async () => {
          await this.link.api.setOnline(this.options.name, online);
        })
        .catch(() => undefined);
    };
    g.addEventListener('online', tell);
    g.addEventListener('offline', tell);
    if (g.navigator?.onLine === false) tell();
  }

  private onPush(p: Push): void {
    if (p.weft === 'diff') this.diffSinks.get(p.sub)?.(p.bytes);
    else if (p.weft === 'text') this.textSinks.get(p.sub)?.(p);
    else if (p.weft === 'presence' && p.name === this.options.name) this.presence.update(p.peers);
    else if (p.weft === 'status' && p.name === this.options.name) this.status.update(p.status);
    else if (p.weft === 'net' && p.name === this.options.name) for (const l of this.netListeners) l(p);
    else if (p.weft === 'leader') this.becameLeader();
  }

  /** Set once this tab's host can take WebRTC ports: always with a SharedWorker. */
  private leading = false;
  private readonly leadingWaiters: (() => void)[] = [];

  private becameLeader(): void {
    this.leading = true;
    for (const w of this.leadingWaiters.splice(0)) w();
  }

  /**
   * Resolves once this tab may own the database's WebRTC connections: at once with a
   * SharedWorker; in the dedicated-worker fallback, when this tab's worker becomes the leader
   * host (a data channel's MessagePort cannot be forwarded to another tab's worker).
   */
  whenLeading(): Promise<void> {
    if (this.leading || this.link.kind !== 'dedicated') return Promise.resolve();
    return new Promise((resolve) => this.leadingWaiters.push(resolve));
  }

  private readonly netListeners = new Set<(p: NetPush) => void>();

  /**
   * Makes this tab the database's network tab (network-bridge.ts): `listener` hears the room's
   * peers and their signaling. Returns the removal of the listener.
   */
  async watchNetwork(listener: (p: NetPush) => void): Promise<() => void> {
    this.netListeners.add(listener);
    await this.ready;
    unwrap(await this.link.api.watchNetwork(this.options.name));
    return () => this.netListeners.delete(listener);
  }

  /** Sends WebRTC signaling to room peer `to` through the relay. */
  async sendSignal(to: string, data: unknown): Promise<void> {
    await this.ready;
    unwrap(await this.link.api.sendSignal(this.options.name, to, data));
  }

  /** Gives the host a data channel to `peer`, piped over `port` (transferred). */
  async attachPeer(peer: string, port: MessagePort): Promise<void> {
    await this.ready;
    unwrap(await this.link.api.attachPeer(this.options.name, peer, transfer(port, [port])));
  }

  private check(): void {
    if (this.closed) throw new WeftError('E_CLOSED', 'client closed');
  }

  /** This database's id (after `ready`). */
  get db(): string | undefined {
    return this.opened?.db;
  }

  /** The signing author of this client (after `ready`). */
  get author(): string | undefined {
    return this.opened?.author;
  }

  /** The local database name. */
  get name(): string {
    return this.options.name;
  }

  /**
   * Records `fn`'s writes and commits them as one signed change in the host. Resolves with the
   * change hash once it is durably stored; rejects with the host's `WeftError` (e.g.
   * `E_VALIDATION`, `E_PERMISSION`, `E_QUOTA`) and then nothing was written.
   */
  async mutate(fn: (tx: MutationTx<S>) => void): Promise<ChangeHash> {
    this.check();
    const rec = new IntentRecorder();
    fn(rec.typed<S>());
    const mine = rec.intents;
    // Post to the host before rendering the optimistic result, so the two overlap.
    const sent: Promise<Result<ChangeHash>> =
      this.opened !== undefined
        ? this.link.api.mutate(this.options.name, randomId(), mine)
        : this.ready.then(
            () => this.link.api.mutate(this.options.name, randomId(), mine) as Promise<Result<ChangeHash>>,
          );
    this.setPending(() => this.pending.push(mine));
    try {
      return unwrap(await sent);
    } finally {
      this.setPending(() => this.pending.splice(this.pending.indexOf(mine), 1));
    }
  }

  private setPending(edit: () => void): void {
    edit();
    this.pendingFlat = this.pending.flat();
    for (const o of this.observers.values()) o.refresh();
  }

  /** @internal LiveQueryHost */
  pendingIntents(): readonly Intent[] {
    return this.pendingFlat;
  }

  /** Runs a query once. */
  async query<T extends Row = Row>(q: Query | QueryBuilder): Promise<T[]> {
    this.check();
    await this.ready;
    return unwrap(await this.link.api.query(this.options.name, specOf(q))) as T[];
  }

  /**
   * Asks the host's inspect API (engine `inspect/`, protocol `v: 1`): log pages, the DAG, a
   * document's history and audit trail, why a field has its value, the schema. The work runs
   * in the host; only the answer crosses to the tab. What devtools read.
   */
  async inspect<R extends InspectRequest>(request: R): Promise<InspectResponseOf<R>> {
    this.check();
    await this.ready;
    return unwrap(await this.link.api.inspect(this.options.name, request)) as InspectResponseOf<R>;
  }

  /** The shared observer of a live query (invariant 2). */
  watch<T extends Row = Row>(q: Query | QueryBuilder): QueryObserver<T> {
    this.check();
    const spec = specOf(q);
    const key = toBase64Url(encode(spec as unknown as CanonicalValue));
    let o = this.observers.get(key);
    if (o === undefined) {
      o = new QueryObserver(this, spec, () => this.observers.delete(key));
      this.observers.set(key, o);
    }
    return o as unknown as QueryObserver<T>;
  }

  /**
   * The live text of `collection/id.field`, shared by every caller until each has released it:
   * local edits go through the host's versioned, transforming path (text-observer.ts).
   */
  text(collection: string, id: string, field: string): { observer: TextObserver; release(): void } {
    this.check();
    const key = `${collection}/${id}.${field}`;
    let entry = this.texts.get(key);
    if (entry === undefined) {
      entry = { observer: new TextObserver(this, collection, id, field), refs: 0 };
      this.texts.set(key, entry);
    }
    entry.refs++;
    const e = entry;
    let released = false;
    return {
      observer: e.observer,
      release: () => {
        if (released) return;
        released = true;
        // A macrotask later, so StrictMode's unmount/mount keeps the same observer.
        setTimeout(() => {
          if (--e.refs > 0 || this.texts.get(key) !== e) return;
          this.texts.delete(key);
          e.observer.close();
        }, 0);
      },
    };
  }

  /** @internal TextHost */
  async startText(sub: string, c: string, d: string, f: string, onPush: (p: TextPush) => void): Promise<void> {
    this.textSinks.set(sub, onPush);
    try {
      await this.ready;
      unwrap(await this.link.api.openText(this.options.name, sub, c, d, f));
    } catch (err) {
      this.textSinks.delete(sub);
      throw err;
    }
  }

  /** @internal TextHost */
  stopText(sub: string): void {
    if (!this.textSinks.delete(sub) || this.closed) return;
    void this.link.api.closeText(this.options.name, sub).catch(() => undefined);
  }

  /** @internal TextHost */
  async sendTextEdits(sub: string, base: number, edits: readonly TextEdit[]): Promise<void> {
    unwrap(await this.link.api.editText(this.options.name, sub, base, edits));
  }

  /** Host subscriptions open now (tests check StrictMode leaks with it). */
  get liveCount(): number {
    return this.diffSinks.size;
  }

  /** @internal LiveQueryHost */
  newSubId(): string {
    return `s${++this.nextSub}`;
  }

  /** @internal LiveQueryHost */
  async startLive(sub: string, query: Query, onDiff: (bytes: Uint8Array) => void): Promise<void> {
    this.diffSinks.set(sub, onDiff);
    try {
      // Sent once the host is opening the database, not once it has loaded: while it loads,
      // the host answers the first screen from storage (engine-host.ts `peek`).
      await this.openPosted;
      const first = await this.link.api.subscribe(this.options.name, sub, query);
      // A failed open explains a refused subscribe better than the refusal does.
      if (!first.ok) await this.ready;
      unwrap(first.ok ? first : await this.link.api.subscribe(this.options.name, sub, query));
    } catch (err) {
      this.diffSinks.delete(sub);
      throw err;
    }
  }

  /** @internal LiveQueryHost */
  stopLive(sub: string): void {
    if (!this.diffSinks.delete(sub) || this.closed) return;
    void this.link.api.unsubscribe(sub).catch(() => undefined);
  }

  /**
   * Redeems an invite link's secret: once the invite's membership of `list` has synced, signs a
   * membership with the same role for this user (redeem-invite.ts). `E_NOT_FOUND` until then.
   */
  async redeemInvite(secret: string, list: string, members = 'members', scope = 'list'): Promise<string> {
    await this.ready;
    return unwrap(await this.link.api.redeemInvite(this.options.name, secret, list, members, scope));
  }

  /**
   * Key distribution in an encrypted database: `share` wraps this user's keys for new members
   * (or an invite key); `rotateExclude` starts a new key epoch without those authors, so they
   * cannot read what is written after it (call it right after revoking them). Resolves with the
   * change hash, or null when there was nothing to do (always, without encryption).
   */
  async manageKeys(request: {
    readonly share?: readonly string[];
    readonly rotateExclude?: readonly string[];
  }): Promise<string | null> {
    await this.ready;
    return unwrap(await this.link.api.manageKeys(this.options.name, request));
  }

  /** This user's identity as an exportable string (keep it secret). */
  async exportIdentity(): Promise<string> {
    await this.ready;
    return unwrap(await this.link.api.exportIdentity());
  }

  /** Disconnects this tab's client (the host keeps running for other tabs). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unlisten();
    this.link.close();
  }
}

/** Connects to the host and opens database `options.name`. */
export function createClient<S>(options: ClientOptions<S>): WeftClient<S> {
  return new WeftClient(options, options.link ?? connectHost());
}
