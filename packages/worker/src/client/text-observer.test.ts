/**
 * The tab half of text editing on its own: one batch in flight, the rest buffered; remote
 * versions transformed over both; a version gap or a failed send reloads the field (invariant 3
 * of text-observer.ts) and drops what was not acknowledged instead of applying it twice.
 */
import { describe, expect, it } from 'vitest';
import { WeftError } from '@weft/engine';
import { TextObserver, type TextHost } from './text-observer.ts';
import type { TextPush } from '../protocol/host-api.ts';
import type { TextEdit } from '../protocol/text-ops.ts';

/** A push without its envelope (distributed over the union, so each kind keeps its fields). */
type PushBody = TextPush extends infer P ? (P extends TextPush ? Omit<P, 'sub' | 'weft'> : never) : never;

class FakeHost implements TextHost {
  readonly opened: string[] = [];
  readonly sent: { sub: string; base: number; edits: readonly TextEdit[]; fail: (e: Error) => void }[] = [];
  readonly sinks = new Map<string, (p: TextPush) => void>();
  private n = 0;
  newSubId(): string {
    return `s${++this.n}`;
  }
  async startText(sub: string, _c: string, _d: string, _f: string, onPush: (p: TextPush) => void): Promise<void> {
    this.opened.push(sub);
    this.sinks.set(sub, onPush);
  }
  stopText(sub: string): void {
    this.sinks.delete(sub);
  }
  sendTextEdits(sub: string, base: number, edits: readonly TextEdit[]): Promise<void> {
    return new Promise((_resolve, reject) => this.sent.push({ sub, base, edits, fail: reject }));
  }
  push(sub: string, p: PushBody): void {
    this.sinks.get(sub)?.({ weft: 'text', sub, ...p } as TextPush);
  }
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('text observer', () => {
  it('sends one batch at a time and transforms remote versions over its own', async () => {
    const host = new FakeHost();
    const o = new TextObserver(host, 'notes', 'n1', 'body');
    const heard: (readonly TextEdit[])[] = [];
    o.onEdits((edits, reset, local) => !local && !reset && heard.push(edits));
    host.push('s1', { kind: 'reset', v: 10, text: 'abc' });
    o.edit([['i', 3, 'X']]);
    o.edit([['i', 0, 'Y']]);
    expect(host.sent.map((s) => [s.base, s.edits])).toEqual([[10, [['i', 3, 'X']]]]);
    // A remote insert at 1 (version 11) lands before our own ack.
    host.push('s1', { kind: 'edits', v: 11, edits: [['i', 1, 'r']], own: false });
    expect(o.text).toBe('YarbcX');
    expect(heard).toEqual([[['i', 2, 'r']]]); // moved over the buffered Y
    host.push('s1', { kind: 'edits', v: 12, edits: [['i', 4, 'X']], own: true });
    // The buffer goes out next, against version 12.
    expect(host.sent.map((s) => s.base)).toEqual([10, 12]);
    expect(host.sent[1]!.edits).toEqual([['i', 0, 'Y']]);
    expect(o.fromHost(12, 4)).toBe(5);
    expect(o.toHost(5)).toBe(4);
  });

  it('reloads on a version gap or a failed send, dropping unacknowledged edits', async () => {
    const host = new FakeHost();
    const o = new TextObserver(host, 'notes', 'n1', 'body');
    host.push('s1', { kind: 'reset', v: 0, text: 'hello' });
    host.push('s1', { kind: 'edits', v: 2, edits: [['d', 0, 1]], own: false }); // version 1 went missing
    expect(host.opened).toEqual(['s1', 's2']);
    host.push('s2', { kind: 'reset', v: 2, text: 'ello' });
    expect(o.text).toBe('ello');
    o.edit([['i', 0, 'H']]);
    host.sent.at(-1)!.fail(new WeftError('E_STALE', 'too old'));
    await flush();
    expect(host.opened).toEqual(['s1', 's2', 's3']);
    host.push('s3', { kind: 'reset', v: 9, text: 'ello world' });
    expect(o.text).toBe('ello world');
    expect(o.version).toEqual({ sub: 's3', v: 9, pending: false });
    o.close();
    expect(host.sinks.size).toBe(0);
  });
});
