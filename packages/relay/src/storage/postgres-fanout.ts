/**
 * Fan-out between relay processes sharing one PostgreSQL: each process LISTENs on
 * {@link CHANGES_CHANNEL}; when another process commits changes of a database open here, this
 * process reads them from the shared log `weft_changes` and ingests them into its own replica,
 * whose sync sessions then push them to the clients connected here.
 *
 * Invariants:
 *  1. One LISTEN connection per process. When it fails it is reopened with jittered exponential
 *     backoff, and every attached database is then pulled: NOTIFYs sent while disconnected are
 *     lost, the log is not. A slow periodic pull covers a connection that died silently.
 *  2. Each attached database has a cursor: the highest log `seq` it has ingested. The writer's
 *     per-database lock (postgres-storage.ts) makes `seq` follow commit order, so reading
 *     `seq > cursor` in order misses nothing.
 *  3. Pulls of one database run one at a time; a notification during a pull makes it go again.
 *  4. The cursor is stored (`weft_cursors`) after each ingested page, so a restarted process
 *     reads only what it lacks. A stale cursor costs re-reading changes the replica already
 *     has, which it drops as duplicates; it never skips one.
 *  5. `attach` resolves only after the first pull, so a replica is current before any client
 *     syncs with it.
 */
import type pg from 'pg';
import type { Replica } from '@weft/engine';
import { CHANGES_CHANNEL } from './postgres-schema.ts';
import { PostgresListener } from './postgres-listener.ts';

/** Rows read per query while catching up. */
const PAGE = 500;

/** Options for {@link PostgresFanout}. */
export interface PostgresFanoutOptions {
  /** Runs the log and cursor queries. */
  readonly pool: pg.Pool;
  /** A new, unconnected client for the LISTEN connection. */
  readonly listenClient: () => pg.Client;
  /** Safety-net pull of every attached database (ms, default 30 000). */
  readonly pollMs?: number;
  /** Where to report connection trouble (default: console.warn). */
  readonly warn?: (message: string) => void;
}

interface Attached {
  readonly db: string;
  readonly ns: string;
  readonly replica: Replica;
  cursor: bigint;
  pulling: Promise<void> | undefined;
  again: boolean;
}

/** The commit origin of fanned-in changes: no sync session owns it, so all of them push. */
export const FANOUT_ORIGIN = Symbol('postgres-fanout');

/** One process's LISTEN connection and the cursors of the databases it has open. */
export class PostgresFanout {
  private readonly attached = new Map<string, Attached>();
  private readonly listener: PostgresListener;
  private closed = false;
  private readonly pollTimer: ReturnType<typeof setInterval>;
  private readonly warn: (message: string) => void;
  /** Changes ingested from other processes, and notifications received. */
  readonly stats = { fannedIn: 0, notifications: 0, reconnects: 0 };

  constructor(private readonly options: PostgresFanoutOptions) {
    this.warn = options.warn ?? ((m) => console.warn(`weft-relay: ${m}`));
    this.listener = new PostgresListener({
      channel: CHANGES_CHANNEL,
      client: options.listenClient,
      onNotification: (payload) => this.onNotification(payload),
      onConnected: (again) => {
        if (!again) return;
        this.stats.reconnects++;
        this.pullAll();
      },
      what: 'LISTEN',
      warn: this.warn,
    });
    this.pollTimer = setInterval(() => this.pullAll(), options.pollMs ?? 30_000);
    this.pollTimer.unref();
  }

  /** Opens the LISTEN connection; rejects if the first attempt fails. */
  start(): Promise<void> {
    return this.listener.start();
  }

  private onNotification(payload: string | undefined): void {
    this.stats.notifications++;
    const [db, seq] = (payload ?? '').split(' ');
    const a = this.attached.get(db ?? '');
    if (a === undefined || seq === undefined || !/^\d+$/.test(seq) || BigInt(seq) <= a.cursor) return;
    this.pull(a);
  }

  /**
   * Starts following `db`, whose replica stores under namespace `ns`: reads the stored cursor
   * and ingests everything newer from the shared log before resolving.
   */
  async attach(db: string, ns: string, replica: Replica): Promise<void> {
    const { rows } = await this.options.pool.query<{ seq: string }>('SELECT seq FROM weft_cursors WHERE ns = $1', [ns]);
    const a: Attached = { db, ns, replica, cursor: BigInt(rows[0]?.seq ?? 0), pulling: undefined, again: false };
    this.attached.set(db, a);
    await this.pull(a);
  }

  /** Stops following `db`. */
  detach(db: string): void {
    this.attached.delete(db);
  }

  private pullAll(): void {
    for (const a of this.attached.values()) void this.pull(a).catch(() => undefined);
  }

  /** Invariant 3: one pull per database at a time; a request during one runs it again after. */
  private pull(a: Attached): Promise<void> {
    if (a.pulling !== undefined) {
      a.again = true;
      return a.pulling;
    }
    const run = async (): Promise<void> => {
      do {
        a.again = false;
        while (!this.closed && this.attached.get(a.db) === a && (await this.pullPage(a)) === PAGE);
      } while (a.again && !this.closed);
    };
    a.pulling = run()
      .catch((err: unknown) => {
        if (!this.closed) this.warn(`catching up ${a.db.slice(0, 12)} failed: ${String(err)}`);
      })
      .finally(() => (a.pulling = undefined));
    return a.pulling;
  }

  /** Ingests one page of the log after the cursor; returns how many rows it read. */
  private async pullPage(a: Attached): Promise<number> {
    const { rows } = await this.options.pool.query<{ seq: string; wire: Uint8Array }>(
      'SELECT seq, wire FROM weft_changes WHERE db = $1 AND seq > $2 ORDER BY seq LIMIT $3',
      [a.db, a.cursor.toString(), PAGE],
    );
    if (rows.length === 0) return 0;
    const results = await a.replica.ingestMany(
      rows.map((r) => new Uint8Array(r.wire)),
      FANOUT_ORIGIN,
    );
    this.stats.fannedIn += results.filter((r) => r.status === 'applied' || r.status === 'rejected').length;
    a.cursor = BigInt(rows[rows.length - 1]!.seq);
    await this.options.pool.query(
      `INSERT INTO weft_cursors (ns, seq) VALUES ($1, $2)
       ON CONFLICT (ns) DO UPDATE SET seq = GREATEST(weft_cursors.seq, EXCLUDED.seq)`,
      [a.ns, a.cursor.toString()],
    );
    return rows.length;
  }

  /** Closes the LISTEN connection and waits for pulls in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pollTimer);
    const listening = this.listener.close();
    await Promise.all([...this.attached.values()].map((a) => a.pulling));
    this.attached.clear();
    await listening;
  }
}
