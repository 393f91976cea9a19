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
import { toWeftError, valuesEqual, type Query, type Row, type WeftError } from '@weft/engine';
import { applyDiff, decodeDiff } from '../protocol/diff-codec.ts';
import type { Intent } from '../protocol/intents.ts';
import { overlay } from './optimistic.ts';

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
  /** Intents of this tab's mutations not yet settled, oldest first (optimistic.ts). */
  pendingIntents(): readonly Intent[];
}

const LOADING: QueryState<never> = Object.freeze({ data: undefined, status: 'loading', error: undefined });

/** One live query's observer. */
export class QueryObserver<T extends Row = Row> {
  private state: QueryState<T> = LOADING;
  /** The host's result; `state.data` is it plus the optimistic overlay. */
  private base: readonly Row[] | undefined;
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

  /** Recomputes the visible result after the tab's pending mutations changed. */
  refresh(): void {
    if (this.base === undefined || this.state.status !== 'success') return;
    const data = this.visible(this.base);
    if (data !== this.state.data) this.set({ data, status: 'success', error: undefined });
  }

  /**
   * The host's rows plus the overlay. A row equal to the one shown before keeps that object,
   * so a write that was shown optimistically does not re-render again when the host confirms.
   */
  private visible(base: readonly Row[]): T[] {
    const data = overlay(base, this.query, this.host.pendingIntents()) as T[];
    const prev = this.state.data as T[] | undefined;
    if (prev === undefined || data === prev) return data;
    let out: T[] | undefined;
    let same = data.length === prev.length;
    for (let i = 0; i < data.length; i++) {
      const p = prev[i];
      const d = data[i]!;
      if (p === d) continue;
      if (p !== undefined && p.id === d.id && valuesEqual(p, d)) (out ??= [...data])[i] = p;
      else same = false;
    }
    // Nothing differs from what is shown: keep the old array, so no listener fires.
    return same ? prev : (out ?? data);
  }

  private onDiff(bytes: Uint8Array): void {
    try {
      this.base = applyDiff(this.base ?? [], decodeDiff(bytes));
      const data = this.visible(this.base);
      if (data !== this.state.data || this.state.status !== 'success')
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
      this.base = undefined;
      this.onIdle(this);
    }
  }
}
