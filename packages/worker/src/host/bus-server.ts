/**
 * The leader's side of the bus: one host connection per follower, created on its first request
 * and closed when the follower's tab lock frees (tab-lock.ts).
 */
import { WeftError } from '@weft/engine';
import { HOST_METHODS, type Result } from '../protocol/host-api.ts';
import type { EngineHost, HostConnection } from './engine-host.ts';
import type { BusMessage, BusRequest } from './bus-protocol.ts';
import { checkTabLock, whenTabGone } from './tab-lock.ts';

/** Serves followers' requests on `bus` with `host`. */
export class BusServer {
  private readonly conns = new Map<string, HostConnection>();

  constructor(
    private readonly host: EngineHost,
    private readonly bus: BroadcastChannel,
  ) {}

  private connection(from: string): HostConnection {
    let conn = this.conns.get(from);
    if (conn === undefined) {
      const c = this.host.connect((p) => this.bus.postMessage({ k: 'push', to: from, p } satisfies BusMessage));
      conn = c;
      this.conns.set(from, c);
      whenTabGone(from, () => {
        c.close();
        this.conns.delete(from);
      });
    }
    return conn;
  }

  /** Handles one bus message (requests only; the rest is for followers). */
  handle(msg: BusMessage): void {
    if (msg.k !== 'req') return;
    const { from, rid, m, a } = msg as BusRequest;
    let result: Promise<Result<unknown>>;
    try {
      checkTabLock(from);
      if (!(HOST_METHODS as readonly string[]).includes(m) || !Array.isArray(a))
        throw new WeftError('E_PROTOCOL', `unknown host method "${String(m)}"`);
      const conn = this.connection(from);
      result = (conn[m] as (...args: unknown[]) => Promise<Result<unknown>>).apply(conn, a);
    } catch (err) {
      const e = err instanceof WeftError ? err : new WeftError('E_PROTOCOL', String(err));
      result = Promise.resolve({ ok: false, error: e.toData() });
    }
    void result.then((r) => this.bus.postMessage({ k: 'res', to: from, rid, r } satisfies BusMessage));
  }
}
