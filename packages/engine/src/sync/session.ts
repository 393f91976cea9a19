/**
 * A sync session with one peer over any {@link Transport}: idempotent anti-entropy with
 * credit-based flow control.
 *
 * Invariants:
 *  1. Each side sends the changes the other's version vector lacks, in topological order, never
 *     more than the receiver's outstanding credit; the receiver grants credit only after it has
 *     committed a batch, so a slow receiver is never flooded.
 *  2. A session is *settled* when the peer has acknowledged everything we sent, we hold every
 *     change the peer's last hello advertised, and nothing is parked. While unsettled, the session
 *     re-sends hello every `retryMs`; each hello resets the peer's view from real state, so lost,
 *     duplicated or reordered frames delay sync but never break it.
 *  3. Forks invisible to version vectors (equivocation) are found through heads: after the peer's
 *     queue drains, unknown heads and missing deps are requested with `need`.
 *  4. A new session after a disconnect resumes from the peer's stored state (its hello), so
 *     nothing acknowledged is sent twice and nothing unacknowledged is lost.
 *  5. Presence (sync/presence.ts) rides the session but never touches the log or the session's
 *     state: oversized, malformed or rate-exceeding presence is dropped and counted, never fatal.
 */
import { WeftError } from '../errors.ts';
import type { ChangeHash } from '../ids.ts';
import type { LogEntry, VersionVector } from '../log/change-log.ts';
import type { PreparedBatch, Replica } from '../replica/replica.ts';
import type { CommitEvent } from '../replica/effects.ts';
import { host } from '../host.ts';
import {
  DEFAULT_MESSAGE_LIMITS,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeMessage,
  vvAhead,
  type HelloMessage,
  type MessageLimits,
  type SyncMessage,
} from './messages.ts';
import type { Transport } from './transport.ts';
import {
  PRESENCE_LIMITS,
  PresenceRate,
  encodePresence,
  parsePresence,
  type PresenceSink,
  type PresenceUpdate,
} from './presence.ts';

/** A frame decoded on arrival, with its batch already verifying. */
interface Early {
  readonly m?: SyncMessage;
  readonly prepared?: Promise<PreparedBatch>;
  readonly error?: WeftError;
}

/** Schedules `cb` after `ms`; returns a cancel function. */
export type Scheduler = (ms: number, cb: () => void) => () => void;

/** Session tuning. */
export interface SyncOptions {
  /** Changes the peer may send before we grant more credit. */
  readonly window?: number;
  /** Largest batch we send. */
  readonly batchSize?: number;
  /** Re-hello interval while unsettled. */
  readonly retryMs?: number;
  readonly scheduler?: Scheduler;
  readonly limits?: MessageLimits;
  /** Where presence from the peer goes, and who may send ours over this session. */
  readonly presence?: PresenceSink;
  /** The peer's author when the transport authenticated it (WebRTC, a relay's client). */
  readonly peer?: string;
}

/** Counters for status displays. */
export interface SyncStats {
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  changesIn: number;
  changesOut: number;
  rejectedIn: number;
  /** Presence updates dropped: malformed, oversized or over the rate (invariant 5). */
  presenceDropped: number;
}

const defaultScheduler: Scheduler = (ms, cb) => {
  const h = host.setTimeout(cb, ms);
  return () => host.clearTimeout(h);
};

/**
 * Compaction keeps only a stub of a pruned change (no body): it cannot be sent, and a peer that
 * lacks it is served the snapshot instead (snapshot/compact.ts).
 */
function sendable(e: LogEntry): boolean {
  return e.covered !== 'pruned';
}

/** True when the peer has acknowledged `h` already (its vv covers the change's seq). */
function peerHas(replica: Replica, h: ChangeHash, ack: VersionVector): boolean {
  const c = replica.getChange(h)?.sc.change;
  return c !== undefined && c.seq <= (ack[c.author] ?? 0);
}

/** One sync session. Create with `replica.sync(transport)`. */
export class SyncSession {
  readonly stats: SyncStats = {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    changesIn: 0,
    changesOut: 0,
    rejectedIn: 0,
    presenceDropped: 0,
  };
  /** The peer's author when the transport proved it, else null. */
  readonly peer: string | null;
  private readonly presence: PresenceSink | undefined;
  private readonly presenceRate = new PresenceRate();
  private detachPresence: (() => void) | undefined;
  /** Resolves when the session ends; with the error that ended it, if any. */
  readonly closed: Promise<WeftError | undefined>;
  private resolveClosed!: (e: WeftError | undefined) => void;
  private isClosed = false;
  private readonly window: number;
  private readonly batchSize: number;
  private readonly retryMs: number;
  private readonly schedule: Scheduler;
  private readonly limits: MessageLimits;

  private round = 0;
  private peerHello: HelloMessage | undefined;
  /** Entries queued for the peer. */
  private outbox: LogEntry[] = [];
  private queued = new Set<ChangeHash>();
  private credits = 0;
  private sendRound = -1;
  /**
   * Changes sent and not yet acknowledged. A hello does not queue them again (they are on the
   * way); only a retry after silence, when they are presumed lost, forgets them.
   */
  private readonly inFlight = new Map<ChangeHash, LogEntry>();
  /** True from sending a hello that asks for an answer until a hello arrives. */
  private awaitingHello = false;
  /** Highest (author → seq) the peer acknowledged. */
  private peerAck: VersionVector = {};
  private sentDone = false;
  private cancelTimer: (() => void) | undefined;
  private heard = false;
  private readonly unsubscribe: () => void;
  private inbound: Promise<void> = Promise.resolve();

  constructor(
    private readonly replica: Replica,
    private readonly transport: Transport,
    options: SyncOptions = {},
  ) {
    this.window = options.window ?? 512;
    this.batchSize = options.batchSize ?? 256;
    this.retryMs = options.retryMs ?? 2000;
    this.schedule = options.scheduler ?? defaultScheduler;
    this.limits = options.limits ?? DEFAULT_MESSAGE_LIMITS;
    this.peer = options.peer ?? null;
    this.presence = options.presence;
    this.closed = new Promise((r) => (this.resolveClosed = r));
    this.unsubscribe = replica.onCommit((e) => this.onCommit(e));
    transport.onMessage((frame) => {
      // Frames are handled strictly in order (ingest is async), but a batch's signatures start
      // verifying the moment it arrives, overlapping the commit of the batch before it.
      const early = this.prepare(frame);
      this.inbound = this.inbound.then(() => this.receive(frame, early));
    });
    transport.onClose((reason) => this.finish(reason));
    this.sendHello(false);
    this.arm();
    this.detachPresence = this.presence?.attach(this);
  }

  /** Sends presence to the peer (never stored; dropped when the session is closed). */
  sendPresence(update: PresenceUpdate): void {
    this.send({ t: 'presence', p: encodePresence(update) });
  }

  /** Invariant 5: presence is checked here, and anything wrong with it is only counted. */
  private onPresence(frame: Uint8Array, p: unknown): void {
    if (this.presence === undefined) return;
    if (frame.length > PRESENCE_LIMITS.maxBytes || !this.presenceRate.take()) {
      this.stats.presenceDropped++;
      return;
    }
    let update: PresenceUpdate;
    try {
      update = parsePresence(p as Parameters<typeof parsePresence>[0]);
    } catch {
      this.stats.presenceDropped++;
      return;
    }
    this.presence.receive(update, this);
  }

  /** The transport kind ("webrtc", "relay", …). */
  get kind(): string {
    return this.transport.kind;
  }

  /** True when both sides hold the same changes as far as this session can tell. */
  get settled(): boolean {
    if (this.peerHello === undefined || this.awaitingHello) return false;
    if (this.outbox.length > 0 || this.inFlight.size > 0) return false;
    if (this.replica.pendingCount > 0) return false;
    const ours = this.replica.versionVector();
    if (vvAhead(this.peerHello.vv, ours).length > 0) return false;
    return this.peerHello.heads.every((h) => this.replica.getChange(h) !== undefined);
  }

  /** How many changes the peer has advertised that we do not hold. */
  get lag(): number {
    if (this.peerHello === undefined) return 0;
    const ours = this.replica.versionVector();
    let n = 0;
    for (const a of vvAhead(this.peerHello.vv, ours)) n += this.peerHello.vv[a]! - (ours[a] ?? 0);
    return n;
  }

  /** How many of `author`'s changes we hold that the peer has not acknowledged. */
  unacked(author: string): number {
    const known = Math.max(this.peerAck[author] ?? 0, this.peerHello?.vv[author] ?? 0);
    return Math.max(0, (this.replica.versionVector()[author] ?? 0) - known);
  }

  /** Resolves once every frame received so far has been fully handled. */
  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.inbound;
      await seen;
    } while (seen !== this.inbound);
  }

  /** Closes the session and the transport. */
  close(): void {
    this.transport.close();
    this.finish(undefined);
  }

  private finish(reason: WeftError | undefined): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.cancelTimer?.();
    this.unsubscribe();
    this.detachPresence?.();
    this.resolveClosed(reason);
  }

  private send(m: SyncMessage): void {
    if (this.isClosed) return;
    const frame = encodeMessage(m);
    this.stats.framesOut++;
    this.stats.bytesOut += frame.length;
    this.transport.send(frame);
  }

  private fail(err: WeftError): void {
    this.send({ t: 'error', code: err.code, message: err.message });
    this.transport.close();
    this.finish(err);
  }

  private sendHello(reply: boolean): void {
    // Until the peer answers, what we know of it may be stale (our in-flight set was dropped).
    if (!reply) this.awaitingHello = true;
    this.round++;
    this.send({
      t: 'hello',
      protocol: PROTOCOL_VERSION,
      db: this.replica.dbId,
      schema: this.replica.internals.validator?.schemaHash ?? null,
      vv: this.replica.versionVector(),
      heads: this.replica.heads(),
      round: this.round,
      window: this.window,
      reply,
    });
  }

  /** Keeps a retry timer while unsettled (invariant 2). */
  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.isClosed || this.settled) return;
    this.cancelTimer = this.schedule(this.retryMs, () => {
      this.cancelTimer = undefined;
      if (this.isClosed) return;
      if (!this.heard && !this.settled) {
        this.inFlight.clear(); // silence for a whole interval: whatever was in flight is lost
        this.sendHello(false);
      }
      this.heard = false;
      this.arm();
    });
  }

  /** Decodes a frame on arrival and, for a batch of changes, starts verifying it at once. */
  private prepare(frame: Uint8Array): Early {
    try {
      const m = decodeMessage(frame, this.limits);
      if (m.t === 'changes' && m.batch.length > 0 && !this.isClosed) {
        const prepared = this.replica.prepareIngest(m.batch);
        prepared.catch(() => undefined);
        return { m, prepared };
      }
      return { m };
    } catch (err) {
      return { error: err instanceof WeftError ? err : new WeftError('E_PROTOCOL', String(err)) };
    }
  }

  private async receive(frame: Uint8Array, early: Early): Promise<void> {
    if (this.isClosed) return;
    this.stats.framesIn++;
    this.stats.bytesIn += frame.length;
    // Presence is not part of anti-entropy: it must not count as hearing the sync peer.
    if (early.m?.t === 'presence') return this.onPresence(frame, early.m.p);
    this.heard = true;
    if (early.error !== undefined) {
      this.fail(early.error);
      return;
    }
    const m = early.m!;
    try {
      if (m.t === 'changes') await this.onChanges(m.batch, m.round, m.done, early.prepared);
      else await this.handle(m);
    } catch (err) {
      if (err instanceof WeftError && err.code === 'E_CLOSED') return this.finish(err);
      this.fail(err instanceof WeftError ? err : new WeftError('E_INTERNAL', String(err)));
      return;
    }
    this.arm();
  }

  private async handle(m: SyncMessage): Promise<void> {
    switch (m.t) {
      case 'hello':
        return this.onHello(m);
      case 'changes':
        return this.onChanges(m.batch, m.round, m.done);
      case 'need':
        return this.onNeed(m.hashes);
      case 'credit':
        if (m.round === this.sendRound) this.credits += m.n;
        this.onAck(m.vv);
        this.flush();
        return;
      case 'error':
        this.transport.close();
        this.finish(new WeftError(m.code, `peer: ${m.message}`));
        return;
      case 'presence':
        return;
    }
  }

  private onHello(m: HelloMessage): void {
    if (m.protocol !== PROTOCOL_VERSION)
      throw new WeftError('E_PROTOCOL', `peer speaks protocol ${m.protocol}, we speak ${PROTOCOL_VERSION}`);
    if (m.db !== this.replica.dbId) throw new WeftError('E_WRONG_DB', 'peer is syncing another database');
    this.peerHello = m;
    this.awaitingHello = false;
    this.sendRound = m.round;
    this.credits = Math.min(m.window, this.limits.maxBatch * 64);
    this.onAck(m.vv);
    const heads = new Set(m.heads);
    this.outbox = this.replica.internals.log
      .missingFor(m.vv)
      .filter((e) => sendable(e) && !heads.has(e.sc.hash) && !this.inFlight.has(e.sc.hash));
    this.queued = new Set(this.outbox.map((e) => e.sc.hash));
    this.sentDone = false;
    if (!m.reply) this.sendHello(true);
    this.flush();
  }

  private flush(): void {
    if (this.peerHello === undefined) return;
    while (this.credits > 0 && this.outbox.length > 0) {
      const n = Math.min(this.credits, this.batchSize, this.outbox.length);
      const batch = this.outbox.splice(0, n);
      for (const e of batch) {
        this.queued.delete(e.sc.hash);
        this.inFlight.set(e.sc.hash, e);
      }
      this.credits -= n;
      this.stats.changesOut += n;
      this.sentDone = this.outbox.length === 0;
      this.send({ t: 'changes', round: this.sendRound, batch: batch.map((e) => e.sc.bytes), done: this.sentDone });
    }
    if (this.outbox.length === 0 && !this.sentDone) {
      this.sentDone = true;
      this.send({ t: 'changes', round: this.sendRound, batch: [], done: true });
    }
  }

  private onAck(vv: VersionVector): void {
    for (const a in vv) if (vv[a]! > (this.peerAck[a] ?? 0)) this.peerAck[a] = vv[a]!;
    // A change is acknowledged once the peer's vv covers its (author, seq). Forks share a seq,
    // so a covered fork may still be missing there; heads and `need` find those (invariant 3).
    for (const [h, e] of this.inFlight)
      if (e.sc.change.seq <= (this.peerAck[e.sc.change.author] ?? 0)) this.inFlight.delete(h);
  }

  private async onChanges(
    batch: readonly Uint8Array[],
    round: number,
    done: boolean,
    prepared?: Promise<PreparedBatch>,
  ): Promise<void> {
    if (batch.length > 0) {
      const results = await this.replica.commitPrepared(prepared ?? this.replica.prepareIngest(batch), this);
      for (const r of results) {
        if (r.status === 'invalid') this.stats.rejectedIn++;
      }
      this.stats.changesIn += batch.length;
      this.send({ t: 'credit', round, n: batch.length, vv: this.replica.versionVector() });
    } else if (done) this.send({ t: 'credit', round, n: 0, vv: this.replica.versionVector() });
    if (done) this.requestMissing();
  }

  private requestMissing(): void {
    const want = new Set<ChangeHash>(this.replica.missingDeps());
    for (const h of this.peerHello?.heads ?? [])
      if (this.replica.getChange(h) === undefined && !this.replica.internals.pending.has(h)) want.add(h);
    if (want.size > 0) this.send({ t: 'need', hashes: [...want].slice(0, this.limits.maxHashes) });
  }

  private onNeed(hashes: readonly ChangeHash[]): void {
    const front: LogEntry[] = [];
    for (const h of hashes) {
      const e = this.replica.getChange(h);
      if (e !== undefined && sendable(e) && !this.queued.has(h)) front.push(e);
    }
    this.outbox = [...front, ...this.outbox];
    for (const e of front) this.queued.add(e.sc.hash);
    this.sentDone = false;
    this.flush();
  }

  /** Pushes newly stored changes the peer doesn't have yet. */
  private onCommit(e: CommitEvent): void {
    if (this.peerHello === undefined || this.isClosed || e.origin === this) return;
    let added = false;
    for (const h of e.stored) {
      if (this.inFlight.has(h) || this.queued.has(h)) continue;
      if (peerHas(this.replica, h, this.peerAck)) continue;
      const entry = this.replica.getChange(h);
      if (entry === undefined || !sendable(entry)) continue;
      this.outbox.push(entry);
      this.queued.add(h);
      added = true;
    }
    if (added) {
      this.sentDone = false;
      this.flush();
      this.arm();
    }
  }
}
