/**
 * A live query as seen from a tab: the current result plus listeners, living outside any UI
 * framework (React's hooks are thin `useSyncExternalStore` adapters over it).
 *
 * Invariants:
 *  1. `getSnapshot()` returns the same object until the result, status or error changes, so
 *     `useSyncExternalStore` re-renders only on real change.
 *  2. Unchanged rows keep their identity across updates (diff-codec.ts invariant 2).
 *  3. The host subscription starts with the first listener and stops one macrotask after the
 *     last one leaves, so React StrictMode's mount/unmount/mount reuses it instead of leaking
 *     or churning one.
 *  4. A diff that does not fit (a replay after a leader failover, say) triggers a fresh
 *     subscribe, whose initial diff replaces the result.
 */
import { toWeftError, type Query, type Row, type WeftError } from '@weft/engine';
import { applyDiff, decodeDiff } from '../protocol/diff-codec.ts';

/** What an observer reports. */
export interface QueryState<T> {
  readonly data: readonly T[] | undefined;
  readonly status: 'loading' | 'success' | 'error';
  readonly error: WeftError | undefined;
}

/** What an observer needs from the client. */
export interface LiveQueryHost {
  /** Starts host subscription `sub`; rejects when the host refuses the query. */
  startLive(sub: string, query: Query, onDiff: (bytes: Uint8Array) => void): Promise<void>;
  stopLive(sub: string): void;
  newSubId(): string;
}

const LOADING: QueryState<never> = Object.freeze({ data: undefined, status: 'loading', error: undefined });

/** One live query's observer. */
export class QueryObserver<T extends Row = Row> {
  private state: QueryState<T> = LOADING;
  private readonly listeners = new Set<() => void>();
  private sub: string | undefined;
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  private firstData: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly host: LiveQueryHost,
    readonly query: Query,
    private readonly onIdle: (o: QueryObserver<T>) => void = () => undefined,
  ) {}

  /** The current state (invariant 1). */
  getSnapshot = (): QueryState<T> => this.state;

  /** Adds a listener; returns its removal (invariant 3). */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.stopTimer !== undefined) {
      clearTimeout(this.stopTimer);
      this.stopTimer = undefined;
    }
    if (this.sub === undefined) this.start();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.stopTimer === undefined)
        this.stopTimer = setTimeout(() => {
          this.stopTimer = undefined;
          if (this.listeners.size === 0) this.stop();
        }, 0);
    };
  };

  /** True while the host subscription is open. */
  get active(): boolean {
    return this.sub !== undefined;
  }

  /** Resolves once the first result or an error is in (for Suspense). */
  whenSettled(): Promise<void> {
    if (this.state.status !== 'loading') return Promise.resolve();
    if (this.firstData === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.firstData = { promise, resolve };
    }
    if (this.sub === undefined) this.start();
    return this.firstData.promise;
  }

  private set(next: QueryState<T>): void {
    this.state = next;
    if (next.status !== 'loading') {
      this.firstData?.resolve();
      this.firstData = undefined;
    }
    for (const l of [...this.listeners]) l();
  }

  private start(): void {
    const sub = this.host.newSubId();
    this.sub = sub;
    this.host
      .startLive(sub, this.query, (bytes) => {
        if (this.sub === sub) this.onDiff(bytes);
      })
      .catch((err: unknown) => {
        if (this.sub !== sub) return;
        this.sub = undefined;
        this.set({ data: this.state.data, status: 'error', error: toWeftError(err) });
      });
  }

  private onDiff(bytes: Uint8Array): void {
    try {
      const prev = (this.state.data ?? []) as readonly Row[];
      const data = applyDiff(prev, decodeDiff(bytes)) as T[];
      this.set({ data, status: 'success', error: undefined });
    } catch {
      // Invariant 4: start over from a fresh initial result.
      this.stop();
      this.start();
    }
  }

  private stop(): void {
    const sub = this.sub;
    this.sub = undefined;
    if (sub !== undefined) this.host.stopLive(sub);
    if (this.listeners.size === 0 && this.firstData === undefined) {
      this.state = LOADING;
      this.onIdle(this);
    }
  }
}
