/**
 * One dedicated PostgreSQL connection LISTENing on a channel, kept open: when it fails it is
 * reopened with jittered exponential backoff (100 ms doubling to 5 s), and `onConnected` runs
 * after every successful (re)connect, because NOTIFYs sent while it was down are lost and the
 * owner must catch up (postgres-fanout.ts pulls the log, postgres-rooms.ts re-announces).
 */
import type pg from 'pg';

/** Options for {@link PostgresListener}. */
export interface PostgresListenerOptions {
  readonly channel: string;
  /** A new, unconnected client. */
  readonly client: () => pg.Client;
  readonly onNotification: (payload: string | undefined) => void;
  /** Runs once LISTEN is active: `again` is false for the first connection. */
  readonly onConnected: (again: boolean) => void;
  /** Names the connection in warnings. */
  readonly what: string;
  readonly warn: (message: string) => void;
}

/** A self-healing LISTEN connection. */
export class PostgresListener {
  private current: pg.Client | undefined;
  private attempts = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Reconnections after the first connection. */
  reconnects = 0;

  constructor(private readonly options: PostgresListenerOptions) {}

  /** The connection while it is up (its owner may send on it too, one query at a time). */
  get client(): pg.Client | undefined {
    return this.current;
  }

  /** Opens the connection; rejects if the first attempt fails. */
  start(): Promise<void> {
    return this.listen(false);
  }

  private async listen(again: boolean): Promise<void> {
    const { channel } = this.options;
    const client = this.options.client();
    client.on('notification', (n) => {
      if (n.channel === channel) this.options.onNotification(n.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.current = client;
    this.attempts = 0;
    if (again) this.reconnects++;
    this.options.onConnected(again);
  }

  private lost(client: pg.Client, err: unknown): void {
    if (this.current !== client || this.closed) return;
    this.current = undefined;
    client.end().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    this.options.warn(`${this.options.what} connection lost (${why}); reconnecting`);
    this.schedule();
  }

  private schedule(): void {
    if (this.closed || this.timer !== undefined) return;
    const base = Math.min(5_000, 100 * 2 ** this.attempts++);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.listen(true).catch(() => this.schedule());
      },
      base / 2 + Math.random() * (base / 2),
    );
  }

  /** Stops reconnecting and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.current;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }
}
