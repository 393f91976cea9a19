import { describe, expect, it } from 'vitest';
import type { WeftError } from '../errors.ts';
import { createMemoryTransportPair } from './memory-transport.ts';

/** Lets every queued microtask (and the ones they queue) run. */
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('createMemoryTransportPair', () => {
  it('delivers frames in order, both ways', async () => {
    const [a, b] = createMemoryTransportPair();
    expect(a.kind).toBe('memory');
    const atB: number[] = [];
    const atA: number[] = [];
    b.onMessage((f) => atB.push(f[0]!));
    a.onMessage((f) => atA.push(f[0]!));
    for (let i = 0; i < 100; i++) a.send(Uint8Array.of(i));
    b.send(Uint8Array.of(7));
    b.send(Uint8Array.of(8));
    await tick();
    expect(atB).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(atA).toEqual([7, 8]);
  });

  it('never delivers inside send', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: Uint8Array[] = [];
    b.onMessage((f) => got.push(f));
    a.send(Uint8Array.of(1));
    expect(got).toHaveLength(0);
    await tick();
    expect(got).toHaveLength(1);
  });

  it('does not re-enter a handler that replies', async () => {
    const [a, b] = createMemoryTransportPair();
    let depth = 0;
    let maxDepth = 0;
    let count = 0;
    const echo = (t: typeof a) => (f: Uint8Array) => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      if (++count < 50) t.send(f);
      depth--;
    };
    a.onMessage(echo(a));
    b.onMessage(echo(b));
    a.send(Uint8Array.of(1));
    for (let i = 0; i < 60; i++) await Promise.resolve();
    await tick();
    expect(count).toBe(50);
    expect(maxDepth).toBe(1);
  });

  it('copies frames: neither side can change what the other holds', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: Uint8Array[] = [];
    b.onMessage((f) => got.push(f));
    const frame = Uint8Array.of(1, 2, 3);
    a.send(frame);
    frame[0] = 99; // sender reuses its buffer right after sending
    await tick();
    expect(Array.from(got[0]!)).toEqual([1, 2, 3]);
    got[0]![1] = 42; // receiver scribbles on its copy
    expect(Array.from(frame)).toEqual([99, 2, 3]);
  });

  it('sends only the viewed bytes of a subarray', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: Uint8Array[] = [];
    b.onMessage((f) => got.push(f));
    a.send(new Uint8Array([0, 1, 2, 3, 4]).subarray(1, 3));
    await tick();
    expect(Array.from(got[0]!)).toEqual([1, 2]);
    expect(got[0]!.byteLength).toBe(got[0]!.buffer.byteLength);
  });

  it('queues frames that arrive before a handler is installed', async () => {
    const [a, b] = createMemoryTransportPair();
    a.send(Uint8Array.of(1));
    a.send(Uint8Array.of(2));
    await tick();
    const got: number[] = [];
    b.onMessage((f) => got.push(f[0]!));
    expect(got).toEqual([]); // still asynchronous
    a.send(Uint8Array.of(3));
    await tick();
    expect(got).toEqual([1, 2, 3]);
  });

  it('replaces the handler on a second onMessage', async () => {
    const [a, b] = createMemoryTransportPair();
    const first: number[] = [];
    const second: number[] = [];
    b.onMessage((f) => first.push(f[0]!));
    b.onMessage((f) => second.push(f[0]!));
    a.send(Uint8Array.of(5));
    await tick();
    expect(first).toEqual([]);
    expect(second).toEqual([5]);
  });

  it('propagates close to the other side, once, after the frames sent before it', async () => {
    const [a, b] = createMemoryTransportPair();
    const events: string[] = [];
    b.onMessage((f) => events.push(`b got ${f[0]}`));
    a.onClose((reason) => events.push(`a closed ${String(reason)}`));
    b.onClose((reason) => events.push(`b closed ${String(reason)}`));
    a.send(Uint8Array.of(1));
    a.send(Uint8Array.of(2));
    a.close();
    a.close();
    a.send(Uint8Array.of(3)); // after close: dropped silently
    b.send(Uint8Array.of(4)); // towards a closed end: dropped
    await tick();
    expect(events.filter((e) => e.startsWith('b'))).toEqual(['b got 1', 'b got 2', 'b closed undefined']);
    expect(events.filter((e) => e.startsWith('a'))).toEqual(['a closed undefined']);
    b.close();
    await tick();
    expect(events).toHaveLength(4);
  });

  it('drops frames that were in flight towards the side that closed', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: number[] = [];
    a.onMessage((f) => got.push(f[0]!));
    b.send(Uint8Array.of(1));
    a.close();
    await tick();
    expect(got).toEqual([]);
  });

  it('tells a close handler installed after the close', async () => {
    const [a, b] = createMemoryTransportPair();
    b.close();
    await tick();
    const reasons: (WeftError | undefined)[] = [];
    a.onClose((r) => reasons.push(r));
    b.onClose((r) => reasons.push(r));
    await tick();
    expect(reasons).toEqual([undefined, undefined]);
  });

  it('stops delivering the rest of a batch once the handler closes the transport', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: number[] = [];
    b.onMessage((f) => {
      got.push(f[0]!);
      b.close();
    });
    a.send(Uint8Array.of(1));
    a.send(Uint8Array.of(2));
    await tick();
    expect(got).toEqual([1]);
  });
});
