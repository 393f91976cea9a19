import { describe, expect, it } from 'vitest';
import { type CanonicalValue, decode, encode } from '../../encoding/canonical.ts';
import { isWeftError } from '../../errors.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import { List } from './list.ts';
import type { SeqOp } from './op.ts';
import { Text } from './text.ts';

const A = 'a'.repeat(64);
const at = (seq: number, k = 0): number => seq * CHANGE_STRIDE + k;

// Compile-time: every op payload is a canonical value the engine can sign.
const asCanonical = (op: SeqOp): CanonicalValue => op;

describe('snapshots', () => {
  it('round-trip an empty text and keep working', () => {
    const t = Text.decodeState(new Text().encodeState());
    expect(t.toString()).toBe('');
    t.insert(0, 'ok', A, at(1));
    expect(Text.decodeState(t.encodeState()).toString()).toBe('ok');
  });

  it('keep any agent names, non-BMP text and code point indexes', () => {
    const t = new Text();
    t.insert(0, 'héllo 😀 wörld', 'alice', at(1));
    t.insert(6, '日本 ', 'bob ünï', at(1));
    t.delete(9, 1, 'alice'); // the emoji: one element
    const copy = Text.decodeState(t.encodeState());
    expect(copy.toString()).toBe('héllo 日本  wörld');
    expect(copy.length).toBe(15);
    expect(copy.get(6)).toBe('日');
    expect(copy.encodeState()).toEqual(t.encodeState());
  });

  it('preserve ids: later ops apply alike, reused counters stay rejected', () => {
    const t = new Text();
    for (let i = 0; i < 50; i++) t.insert(i, String(i % 10), A, at(i + 1));
    t.delete(10, 20, A);
    const copy = Text.decodeState(t.encodeState());
    const ops = [t.insert(5, 'XY', 'b', at(1)), t.delete(0, 3, 'b'), t.insert(12, 'Z', A, at(99))];
    copy.apply(decode(encode(asCanonical(ops[0]!))), 'b', at(1));
    copy.apply(ops[1], 'b', 0);
    copy.apply(ops[2], A, at(99));
    expect(copy.toString()).toBe(t.toString());
    try {
      copy.insert(0, 'x', A, at(50));
      expect.unreachable();
    } catch (e) {
      expect(isWeftError(e, 'E_VALIDATION')).toBe(true);
    }
  });

  it('store a burst typed across many changes as content plus a few bytes per change', () => {
    const t = new Text();
    const text = 'the quick brown fox jumps over the lazy dog '.repeat(20);
    [...text].forEach((ch, i) => t.insert(i, ch, A, at(1 + (i >> 3), i & 7)));
    const bytes = t.encodeState().length;
    expect(bytes).toBeLessThan(text.length + 100 + 2 * (text.length >> 3));
  });

  it('round-trip lists with moves, deletes and nested values', () => {
    const l = new List();
    l.insert(0, [1, { two: [2] }, 'three', null], A, at(1));
    l.move(0, 3, A, at(2));
    l.delete(1, 1, 'b');
    l.move(1, 0, 'b', at(1));
    const copy = List.decodeState(l.encodeState());
    expect(copy.toArray()).toEqual(l.toArray());
    const op = l.move(2, 0, A, at(3));
    copy.apply(op, A, at(3));
    expect(copy.toArray()).toEqual(l.toArray());
    expect(copy.clock).toBe(l.clock);
  });
});
