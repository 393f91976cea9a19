import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { TransportEnds } from './transport-ends.ts';

describe('TransportEnds', () => {
  it('queues frames until a handler, then delivers in order', () => {
    const e = new TransportEnds();
    e.deliver(new Uint8Array([1]));
    e.deliver(new Uint8Array([2]));
    const got: number[] = [];
    e.onMessage((f) => got.push(f[0]!));
    e.deliver(new Uint8Array([3]));
    expect(got).toEqual([1, 2, 3]);
  });

  it('reports the first close reason once, to a handler set before or after', () => {
    const late = new TransportEnds();
    expect(late.finish(new WeftError('E_TOO_LARGE', 'x'))).toBe(true);
    expect(late.finish(undefined)).toBe(false);
    const seen: unknown[] = [];
    late.onClose((r) => seen.push(r?.code));
    late.onClose((r) => seen.push(r?.code));
    expect(seen).toEqual(['E_TOO_LARGE']);
    late.deliver(new Uint8Array([9]));
    const after: Uint8Array[] = [];
    late.onMessage((f) => after.push(f));
    expect(after).toEqual([]);
  });

  it('keeps frames queued before the close unless the adapter drops them', () => {
    const keep = new TransportEnds();
    keep.deliver(new Uint8Array([1]));
    keep.finish(undefined);
    const got: Uint8Array[] = [];
    keep.onMessage((f) => got.push(f));
    expect(got).toHaveLength(1);
    const drop = new TransportEnds();
    drop.deliver(new Uint8Array([1]));
    drop.dropQueued();
    drop.finish(undefined);
    drop.onMessage((f) => got.push(f));
    expect(got).toHaveLength(1);
  });
});
