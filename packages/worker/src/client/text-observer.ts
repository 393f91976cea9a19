/**
 * A tab's live view of one `text` field: the text as the user sees it (the host's latest
 * version plus this tab's edits still on their way) fed by the host's ordered version pushes
 * (host/text-sessions.ts). It is the client half of the Jupiter/ot.js scheme: at most one batch
 * of edits is in flight; edits made meanwhile wait in a buffer; a remote version is transformed
 * over both before it is shown, and the host transforms ours over what we had not seen.
 *
 * Invariants:
 *  1. `text === apply(apply(hostText(server), outstanding), buffer)` at all times.
 *  2. Edit listeners hear exactly the edits that turn the previous `text` into the new one, so an
 *     editor applies remote changes as minimal changes and its own cursor stays put.
 *  3. A gap in versions, an `E_STALE` answer or any failed send reloads the field (a `reset`);
 *     edits not yet acknowledged then are dropped, never applied twice.
 */
import { WeftError } from '@weft/engine';
import type { TextPush } from '../protocol/host-api.ts';
import { applyEdits, codePointLength, transform, transformIndex, type TextEdit } from '../protocol/text-ops.ts';

/** What a {@link TextObserver} needs from the client. */
export interface TextHost {
  newSubId(): string;
  startText(sub: string, c: string, d: string, f: string, onPush: (p: TextPush) => void): Promise<void>;
  stopText(sub: string): void;
  sendTextEdits(sub: string, base: number, edits: readonly TextEdit[]): Promise<void>;
}

/** A field's state for rendering. */
export interface TextState {
  /** False until the host's first reset arrives. */
  readonly ready: boolean;
  readonly text: string;
  readonly error: WeftError | undefined;
}

/**
 * How the text changed: `edits` turn the previous text into the new one (code points); `reset`
 * when the host replaced it whole; `local` for this tab's own edits (an editor already shows them).
 */
export type TextEditListener = (edits: readonly TextEdit[], reset: boolean, local: boolean) => void;

/** The live text of one field; create with `client.text(collection, id, field)`. */
export class TextObserver {
  private state: TextState = { ready: false, text: '', error: undefined };
  private server = 0;
  private outstanding: TextEdit[] | null = null;
  private buffer: TextEdit[] | null = null;
  private sub: string | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly editListeners = new Set<TextEditListener>();
  private closed = false;
  /** True from (re)subscribing until the host's reset arrives: edits then are not sent. */
  private loading = true;

  constructor(
    private readonly host: TextHost,
    readonly collection: string,
    readonly id: string,
    readonly field: string,
  ) {
    this.start();
  }

  /** For `useSyncExternalStore`. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** For `useSyncExternalStore`: a new object only when something changed. */
  readonly getSnapshot = (): TextState => this.state;

  /** Hears every change of the text with its edits (invariant 2). */
  onEdits(listener: TextEditListener): () => void {
    this.editListeners.add(listener);
    return () => this.editListeners.delete(listener);
  }

  /** The text now. */
  get text(): string {
    return this.state.text;
  }

  /** The host version the text builds on, and the subscription it is watched with. */
  get version(): { sub: string | undefined; v: number; pending: boolean } {
    return { sub: this.sub, v: this.server, pending: this.outstanding !== null };
  }

  /** Applies local edits (code points, against {@link text}) and sends them to the host. */
  edit(edits: readonly TextEdit[]): void {
    if (edits.length === 0 || this.closed) return;
    if (!this.state.ready) throw new WeftError('E_INVALID_ARGUMENT', 'the text has not loaded yet');
    const text = applyEdits(this.state.text, edits);
    if (this.loading) {
      // Reloading after a gap (invariant 3): the reset replaces whatever is typed meanwhile.
    } else if (this.outstanding === null) {
      this.outstanding = [...edits];
      this.send(this.outstanding);
    } else this.buffer = [...(this.buffer ?? []), ...edits];
    this.set({ ready: true, text, error: undefined }, edits, false, true);
  }

  /**
   * A position in host version `v` moved to the text as shown (over this tab's unacknowledged
   * edits); undefined when `v` is not the version the text builds on.
   */
  fromHost(v: number, index: number): number | undefined {
    if (v !== this.server) return undefined;
    const at = transformIndex(index, [...(this.outstanding ?? []), ...(this.buffer ?? [])]);
    return Math.min(at, codePointLength(this.state.text));
  }

  /** A position in the text as shown, moved back to host version {@link version} (best effort). */
  toHost(index: number): number {
    let at = index;
    const pending = [...(this.outstanding ?? []), ...(this.buffer ?? [])];
    for (let i = pending.length - 1; i >= 0; i--) {
      const e = pending[i]!;
      if (e[0] === 'i') {
        if (e[1] < at) at = Math.max(e[1], at - codePointLength(e[2]));
      } else if (e[1] < at) at += e[2];
    }
    return at;
  }

  /** Stops watching. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.sub !== undefined) this.host.stopText(this.sub);
  }

  private start(): void {
    if (this.sub !== undefined) this.host.stopText(this.sub);
    const sub = this.host.newSubId();
    this.sub = sub;
    this.loading = true;
    this.outstanding = this.buffer = null;
    this.host
      .startText(sub, this.collection, this.id, this.field, (p) => this.onPush(sub, p))
      .catch((err: unknown) => {
        if (this.sub !== sub) return;
        const error = err instanceof WeftError ? err : new WeftError('E_INTERNAL', String(err));
        this.set({ ...this.state, error }, [], false);
      });
  }

  private send(edits: readonly TextEdit[]): void {
    const sub = this.sub!;
    this.host.sendTextEdits(sub, this.server, edits).catch(() => {
      if (this.sub === sub && !this.closed) this.start(); // invariant 3
    });
  }

  private onPush(sub: string, p: TextPush): void {
    if (sub !== this.sub || this.closed) return;
    if (p.kind === 'reset') {
      this.loading = false;
      this.server = p.v;
      this.outstanding = this.buffer = null;
      this.set({ ready: true, text: p.text, error: undefined }, [], true);
      return;
    }
    if (!this.state.ready || p.v !== this.server + 1) return this.start(); // invariant 3
    this.server = p.v;
    if (p.own) {
      this.outstanding = this.buffer;
      this.buffer = null;
      if (this.outstanding !== null) this.send(this.outstanding);
      return;
    }
    let remote = [...p.edits];
    if (this.outstanding !== null) [this.outstanding, remote] = transform(this.outstanding, remote);
    if (this.buffer !== null) [this.buffer, remote] = transform(this.buffer, remote);
    if (remote.length === 0) return;
    this.set({ ready: true, text: applyEdits(this.state.text, remote), error: undefined }, remote, false);
  }

  private set(state: TextState, edits: readonly TextEdit[], reset: boolean, local = false): void {
    this.state = state;
    if (edits.length > 0 || reset) for (const l of this.editListeners) l(edits, reset, local);
    for (const l of this.listeners) l();
  }
}
