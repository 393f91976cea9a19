/**
 * A follower's side of the bus: forwards its tab's calls to the leader and relays the leader's
 * pushes back. When a new leader announces itself, it replays the tab's session state (opened
 * databases, live queries, status watches, text subscriptions, presence) and then every
 * unanswered request, in order. A replayed text subscription starts with a reset at the new
 * leader's versions (text-sessions.ts), so edits in flight at the failover are dropped, never
 * misapplied.
 * Mutations carry ids, so a request the dead leader committed but never answered is answered
 * from the mutation ledger instead of committed twice (mutation-ledger.ts).
 */
import type { HostApi, OpenRequest, Push, Result } from '../protocol/host-api.ts';
import { WeftError, type Query } from '@weft/engine';
import type { BusMessage } from './bus-protocol.ts';

interface Pending {
  readonly m: keyof HostApi;
  readonly a: readonly unknown[];
  readonly resolve: (r: Result<unknown>) => void;
}

/** Forwards one tab's calls; `id` is the tab's lock name. */
export class BusForwarder {
  private rid = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly opens = new Map<string, OpenRequest>();
  private readonly subs = new Map<string, { readonly name: string; readonly query: Query }>();
  private readonly watches = new Set<string>();
  private readonly texts = new Map<string, readonly unknown[]>();
  private readonly presence = new Map<string, unknown>();
  private readonly presenceWatches = new Set<string>();
  /** This worker's own host connection, once it leads. */
  private local: HostApi | undefined;

  constructor(
    private readonly id: string,
    private readonly bus: BroadcastChannel,
    private readonly onPush: (p: Push) => void,
  ) {}

  private send(rid: number, p: Pending): void {
    this.bus.postMessage({ k: 'req', from: this.id, rid, m: p.m, a: p.a } satisfies BusMessage);
  }

  /** Calls `m` on the leader. */
  call(m: keyof HostApi, a: readonly unknown[]): Promise<Result<unknown>> {
    return new Promise((resolve) => {
      this.dispatch({
        m,
        a,
        resolve: (r) => {
          if (r.ok) this.remember(m, a);
          resolve(r);
        },
      });
    });
  }

  /** Session state to replay on a leader change. */
  private remember(m: keyof HostApi, a: readonly unknown[]): void {
    if (m === 'open') {
      const req = a[0] as OpenRequest;
      this.opens.set(req.name, req);
    } else if (m === 'subscribe') this.subs.set(a[1] as string, { name: a[0] as string, query: a[2] as Query });
    else if (m === 'unsubscribe') this.subs.delete(a[0] as string);
    else if (m === 'watchStatus') this.watches.add(a[0] as string);
    else if (m === 'openText') this.texts.set(a[1] as string, a);
    else if (m === 'closeText') this.texts.delete(a[1] as string);
    else if (m === 'setPresence') this.presence.set(a[0] as string, a[1]);
    else if (m === 'watchPresence') this.presenceWatches.add(a[0] as string);
  }

  /** Handles one bus message addressed to this follower, or a leader announcement. */
  handle(msg: BusMessage): void {
    if (msg.k === 'res' && msg.to === this.id) {
      const p = this.pending.get(msg.rid);
      this.pending.delete(msg.rid);
      p?.resolve(msg.r);
    } else if (msg.k === 'push' && msg.to === this.id) this.onPush(msg.p);
    else if (msg.k === 'leader' && this.local === undefined) this.replay();
  }

  /**
   * Re-sends the session and every unanswered request: to the new leader over the bus, or,
   * when this tab's own worker just became the leader, to `local`, its own host connection.
   */
  replay(local?: HostApi): void {
    if (local !== undefined) this.local = local;
    const session: [keyof HostApi, readonly unknown[]][] = [
      ...[...this.opens.values()].map((r): [keyof HostApi, unknown[]] => ['open', [r]]),
      ...[...this.subs].map(([sub, s]): [keyof HostApi, unknown[]] => ['subscribe', [s.name, sub, s.query]]),
      ...[...this.watches].map((n): [keyof HostApi, unknown[]] => ['watchStatus', [n]]),
      ...[...this.texts.values()].map((a): [keyof HostApi, readonly unknown[]] => ['openText', a]),
      ...[...this.presenceWatches].map((n): [keyof HostApi, unknown[]] => ['watchPresence', [n]]),
      ...[...this.presence].map(([n, p]): [keyof HostApi, unknown[]] => ['setPresence', [n, p]]),
    ];
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const [m, a] of session) this.dispatch({ m, a, resolve: () => undefined });
    // A re-sent mutation may have been committed by the dead leader: mark it for the ledger.
    for (const p of waiting) this.dispatch(p.m === 'mutate' ? { ...p, a: [p.a[0], p.a[1], p.a[2], true] } : p);
  }

  /** True once this worker hosts the engine itself (it won the leader lock). */
  get leading(): boolean {
    return this.local !== undefined;
  }

  /**
   * Hands a WebRTC data channel's port to this worker's own host. A MessagePort cannot cross the
   * bus, so only the leader's tab can attach peers (client/network-bridge.ts waits to lead).
   */
  attachPeerLocally(name: string, peer: string, port: MessagePort): Promise<Result<null>> {
    if (this.local === undefined) {
      port.close();
      return Promise.resolve({
        ok: false,
        error: new WeftError('E_INVALID_ARGUMENT', "this tab's worker is not the leader host").toData(),
      });
    }
    return this.local.attachPeer(name, peer, port);
  }

  private dispatch(p: Pending): void {
    const local = this.local;
    if (local !== undefined) {
      void (local[p.m] as (...a: unknown[]) => Promise<Result<unknown>>).apply(local, [...p.a]).then(p.resolve);
      return;
    }
    const rid = ++this.rid;
    this.pending.set(rid, p);
    this.send(rid, p);
  }
}
