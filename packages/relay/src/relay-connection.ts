/**
 * One client socket: challenge, authentication, then a sync session with the database's
 * persistent peer, plus signaling routed to other peers of the room.
 *
 * Invariants:
 *  1. Before authentication only one small text message (the answer) is accepted; binary
 *     frames, extra messages, more than `preAuthBytes`, or no answer within `authTimeoutMs`
 *     close the socket (1008). A wrong signature closes it with 4001.
 *  2. Every message counts against the connection's message and byte buckets; exceeding either
 *     closes it (1008), without touching other connections.
 *  3. A frame over `maxFrameBytes` is refused by the WebSocket layer (1009) before it is read.
 *  4. Changes reach storage only through the replica's ingest (verified); nothing a client sends
 *     is stored half: a batch is one atomic write.
 *  5. An authenticated connection starts syncing only with a slot of the admission gate
 *     (admission-gate.ts); a full queue or a wait past `syncQueueTimeoutMs` closes it with 1013,
 *     so the client retries after its jittered backoff. The slot is given back once the session
 *     has settled, or when the socket closes.
 *  6. Memory per connection is bounded: inbound by `maxFrameBytes` and the sync credit window,
 *     outbound by the window too, and whatever is not credit-bound (signals, presence, room
 *     updates) by `maxBufferedBytes` of unread output, past which the socket is closed (1013).
 */
import type { WebSocket } from 'ws';
import {
  WeftError,
  newChallenge,
  parseControl,
  socketTransport,
  verifyAnswer,
  type Ed25519Port,
  type SocketLike,
  type SyncSession,
} from '@weft/engine';
import { CLOSE, type RelayLimits } from './relay-options.ts';
import type { RelayMetrics } from './relay-metrics.ts';
import type { DbRegistry } from './db-registry.ts';
import { TokenBucket } from './token-bucket.ts';
import type { RelayPresence } from './relay-presence.ts';
import type { AdmissionGate, AdmissionTicket } from './admission-gate.ts';

/** What a connection needs from the relay. */
export interface RelayContext {
  readonly serverId: string;
  readonly limits: RelayLimits;
  readonly metrics: RelayMetrics;
  readonly registry: DbRegistry;
  readonly port: Ed25519Port;
  readonly random: (n: number) => Uint8Array;
  /** Room membership: called when this connection joins (returns the other peers) or leaves. */
  join(conn: RelayConnection): string[];
  leave(conn: RelayConnection): void;
  /** Routes a signal to the connection of `to` in the same room; throws `E_TOO_LARGE` when it cannot cross processes. */
  route(db: string, to: string, message: string): boolean;
  /** Forwards presence between the connections of a database, storing none (relay-presence.ts). */
  readonly presence?: RelayPresence;
  /** Bounds the sync sessions running at once (invariant 5); none: no bound. */
  readonly admission?: AdmissionGate;
}

let nextId = 0;

/** One authenticated (or authenticating) client. */
export class RelayConnection {
  readonly id = ++nextId;
  author: string | undefined;
  state: 'challenged' | 'verifying' | 'ready' | 'closed' = 'challenged';
  session: SyncSession | undefined;
  readonly openedAt = Date.now();
  private preAuthBytes = 0;
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly authTimer: ReturnType<typeof setTimeout>;
  private ticket: AdmissionTicket | undefined;

  constructor(
    readonly socket: WebSocket,
    readonly db: string,
    private readonly ctx: RelayContext,
  ) {
    const l = ctx.limits;
    this.messages = new TokenBucket(l.messagesPerSecond, l.messageBurst);
    this.bytes = new TokenBucket(l.bytesPerSecond, l.bytesBurst);
    const challenge = newChallenge(ctx.serverId, ctx.random);
    socket.on('message', (data: Buffer, isBinary: boolean) => this.onFrame(data, isBinary, challenge));
    socket.on('close', () => this.onClosed());
    socket.on('error', () => this.close(CLOSE.protocol, 'socket error'));
    this.authTimer = setTimeout(() => {
      if (this.state !== 'ready') this.refuse(CLOSE.policy, 'authentication timed out', 'preAuth');
    }, l.authTimeoutMs);
    socket.send(JSON.stringify(challenge));
  }

  private refuse(code: number, reason: string, counter: 'preAuth' | 'rate' | 'auth' | null): void {
    const m = this.ctx.metrics;
    if (counter === 'preAuth') m.closedPreAuth++;
    else if (counter === 'rate') m.closedRateLimit++;
    else if (counter === 'auth') m.authFailures++;
    this.close(code, reason);
  }

  private onFrame(data: Buffer, isBinary: boolean, challenge: ReturnType<typeof newChallenge>): void {
    if (this.state === 'closed') return;
    const m = this.ctx.metrics;
    m.framesIn++;
    m.bytesIn += data.length;
    if (!this.messages.take() || !this.bytes.take(data.length)) {
      this.refuse(CLOSE.policy, 'rate limit exceeded', 'rate');
      return;
    }
    if (this.state === 'ready') {
      // Binary frames go to the sync transport's own listener; text frames are signaling.
      if (!isBinary) this.onControl(data.toString());
      return;
    }
    this.preAuthBytes += data.length;
    if (this.state !== 'challenged' || isBinary || this.preAuthBytes > this.ctx.limits.preAuthBytes) {
      this.refuse(CLOSE.policy, 'only an answer to the challenge is accepted before authentication', 'preAuth');
      return;
    }
    this.state = 'verifying';
    void this.authenticate(data.toString(), challenge);
  }

  private async authenticate(text: string, challenge: ReturnType<typeof newChallenge>): Promise<void> {
    try {
      const msg = parseControl(text);
      if (msg.t !== 'auth') throw new WeftError('E_PROTOCOL', 'expected an auth message');
      const author = await verifyAnswer(this.ctx.port, this.db, challenge, msg);
      const replica = await this.ctx.registry.get(this.db);
      if (this.state !== 'verifying') return;
      clearTimeout(this.authTimer);
      if (!(await this.admit())) return;
      this.author = author;
      this.state = 'ready';
      const peers = this.ctx.join(this);
      this.socket.send(JSON.stringify({ t: 'ready', peers }));
      const transport = socketTransport(this.socket as unknown as SocketLike, {
        kind: 'relay',
        maxFrameBytes: this.ctx.limits.maxFrameBytes,
      });
      this.session = replica.sync(transport, {
        window: this.ctx.limits.syncWindow,
        peer: author,
        ...(this.ctx.presence === undefined ? {} : { presence: this.ctx.presence.sinkFor(this.db) }),
      });
    } catch (err) {
      const e = err instanceof WeftError ? err : new WeftError('E_INTERNAL', String(err));
      this.refuse(e.code === 'E_SIGNATURE' ? CLOSE.authFailed : CLOSE.policy, e.message.slice(0, 120), 'auth');
    }
  }

  /** Invariant 5: waits for a sync slot; false when refused, timed out, or closed meanwhile. */
  private async admit(): Promise<boolean> {
    const gate = this.ctx.admission;
    if (gate === undefined) return true;
    const ticket = gate.enter();
    this.ticket = ticket;
    const outcome = ticket === undefined ? 'full' : await ticket.outcome;
    if (this.state !== 'verifying') return false;
    if (outcome === 'admitted') return true;
    this.ctx.metrics.closedOverCapacity++;
    this.close(CLOSE.tryAgainLater, 'busy, try again later');
    return false;
  }

  /**
   * Periodic upkeep (the relay calls it every few hundred ms): gives the sync slot back once the
   * session has settled (invariant 5), and closes a socket whose unread output has grown past
   * `maxBufferedBytes` (invariant 6).
   */
  sweep(): void {
    if (this.state !== 'ready') return;
    if (this.ticket !== undefined && this.session?.settled === true) {
      this.ticket.done();
      this.ticket = undefined;
    }
    if (this.socket.bufferedAmount > this.ctx.limits.maxBufferedBytes) {
      this.ctx.metrics.closedSlowReader++;
      this.close(CLOSE.tryAgainLater, 'not reading fast enough');
    }
  }

  private onControl(text: string): void {
    try {
      const msg = parseControl(text);
      if (msg.t !== 'signal') throw new WeftError('E_PROTOCOL', 'only signal messages after authentication');
      const out = JSON.stringify({ t: 'signal', from: this.author, to: msg.to, data: msg.data });
      this.ctx.route(this.db, msg.to, out);
    } catch (err) {
      // A signal for a peer on another relay process must fit one PostgreSQL NOTIFY.
      if (err instanceof WeftError && err.code === 'E_TOO_LARGE')
        this.refuse(CLOSE.tooBig, 'signal too large to cross relay processes', null);
      else this.refuse(CLOSE.protocol, 'malformed control message', null);
    }
  }

  /** Sends a control message (room updates, routed signals). */
  sendControl(text: string): void {
    if (this.state === 'ready' && this.socket.readyState === this.socket.OPEN) {
      this.ctx.metrics.bytesOut += text.length;
      this.socket.send(text);
    }
  }

  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    // Our code first: closing the session closes its transport, which would send 1000 'done'.
    this.socket.close(code, reason);
    this.onClosed();
  }

  private onClosed(): void {
    if (this.state === 'closed') return;
    const wasReady = this.state === 'ready';
    this.state = 'closed';
    clearTimeout(this.authTimer);
    this.ticket?.done();
    this.ticket = undefined;
    if (this.session !== undefined) {
      const s = this.session.stats;
      this.ctx.metrics.bytesOut += s.bytesOut;
      this.ctx.metrics.changesIn += s.changesIn;
      this.ctx.metrics.changesOut += s.changesOut;
      this.ctx.metrics.changesRejected += s.rejectedIn;
      this.session.close();
    }
    if (wasReady) this.ctx.leave(this);
  }
}
