import { describe, expect, it } from 'vitest';
import { socketTransport, type SocketLike } from './socket-transport.ts';

/** A socket double: the test fires its events. */
function fakeSocket() {
  const listeners = new Map<string, ((e: never) => void)[]>();
  const sent: unknown[] = [];
  const closes: number[] = [];
  const socket = {
    binaryType: 'blob',
    readyState: 1,
    send: (d: unknown) => sent.push(d),
    close: (code?: number) => closes.push(code ?? 1000),
    addEventListener: (t: string, l: (e: never) => void) => listeners.set(t, [...(listeners.get(t) ?? []), l]),
  } as unknown as SocketLike;
  const fire = (t: string, e: unknown) => listeners.get(t)?.forEach((l) => l(e as never));
  return { socket, sent, closes, fire };
}

describe('socket transport', () => {
  it('delivers binary frames (queued until a handler), routes text to onControl, closes once', () => {
    const f = fakeSocket();
    const control: string[] = [];
    const t = socketTransport(f.socket, { onControl: (s) => control.push(s) });
    expect(f.socket.binaryType).toBe('arraybuffer');
    f.fire('message', { data: new Uint8Array([1]).buffer });
    f.fire('message', { data: '{"t":"peers","peers":[]}' });
    const got: number[][] = [];
    t.onMessage((b) => got.push([...b]));
    f.fire('message', { data: new Uint8Array([2, 3]) });
    expect(got).toEqual([[1], [2, 3]]);
    expect(control).toHaveLength(1);
    const reasons: unknown[] = [];
    t.onClose((r) => reasons.push(r?.code));
    f.fire('close', { code: 1006, reason: '' });
    f.fire('error', {});
    f.fire('close', { code: 1006, reason: '' });
    expect(reasons).toEqual(['E_CLOSED']);
    t.send(new Uint8Array([9]));
    expect(f.sent).toEqual([]);
  });

  it('closes with 1009 and E_TOO_LARGE on an oversized frame, before delivering it', () => {
    const f = fakeSocket();
    const t = socketTransport(f.socket, { maxFrameBytes: 4 });
    const got: Uint8Array[] = [];
    const reasons: unknown[] = [];
    t.onMessage((b) => got.push(b));
    t.onClose((r) => reasons.push(r?.code));
    f.fire('message', { data: new Uint8Array(5) });
    expect(got).toEqual([]);
    expect(f.closes).toEqual([1009]);
    expect(reasons).toEqual(['E_TOO_LARGE']);
  });
});
