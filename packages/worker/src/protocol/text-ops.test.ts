import { describe, expect, it } from 'vitest';
import { WeftError } from '@weft/engine';
import { Rng, seedsToRun, withSeed } from '@weft/engine/testing';
import {
  applyEdits,
  codePointLength,
  codePointOffset,
  parseTextEdits,
  transform,
  transformIndex,
  utf16Offset,
  type TextEdit,
} from './text-ops.ts';

const ALPHABET = ['a', 'b', 'c', 'é', '😀', ' '];

/** Random edits valid on `s`, applied one after another. */
export function randomEdits(rng: Rng, s: string, max = 4): TextEdit[] {
  const out: TextEdit[] = [];
  let len = codePointLength(s);
  for (let k = rng.int(max) + 1; k > 0; k--) {
    if (len > 0 && rng.int(3) === 0) {
      const i = rng.int(len);
      const n = 1 + rng.int(Math.min(4, len - i));
      out.push(['d', i, n]);
      len -= n;
    } else {
      const t = Array.from({ length: 1 + rng.int(3) }, () => ALPHABET[rng.int(ALPHABET.length)]!).join('');
      out.push(['i', rng.int(len + 1), t]);
      len += codePointLength(t);
    }
  }
  return out;
}

describe('text edits', () => {
  it('apply in code points, not UTF-16 units', () => {
    expect(applyEdits('a😀b', [['i', 2, 'x']])).toBe('a😀xb');
    expect(applyEdits('a😀b', [['d', 1, 1]])).toBe('ab');
    expect(codePointLength('a😀b')).toBe(3);
    expect(utf16Offset('a😀b', 2)).toBe(3);
    expect(codePointOffset('a😀b', 3)).toBe(2);
  });

  it('refuse out-of-range and malformed edits with typed errors', () => {
    expect(() => applyEdits('ab', [['i', 3, 'x']])).toThrow(WeftError);
    expect(() => applyEdits('ab', [['d', 1, 2]])).toThrow(/beyond/);
    for (const bad of [null, [['x', 0, 'a']], [['i', -1, 'a']], [['i', 0, '']], [['d', 0, 0]], [['d', 0]], 'edits'])
      expect(() => parseTextEdits(bad)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => parseTextEdits(Array.from({ length: 1001 }, () => ['i', 0, 'a']))).toThrow(
      expect.objectContaining({ code: 'E_TOO_LARGE' }),
    );
  });

  it('the earlier-ordered side wins insert ties', () => {
    const [a2, b2] = transform([['i', 1, 'A']], [['i', 1, 'B']]);
    expect(applyEdits(applyEdits('xy', [['i', 1, 'B']]), a2)).toBe('xBAy');
    expect(applyEdits(applyEdits('xy', [['i', 1, 'A']]), b2)).toBe('xBAy');
  });

  it('a delete around a concurrent insert keeps the inserted text', () => {
    const [a2] = transform([['d', 1, 3]], [['i', 2, 'ZZ']]);
    expect(applyEdits('abcde', [['i', 2, 'ZZ'], ...a2])).toBe('aZZe');
  });

  it('transform converges for random concurrent edit lists (seeded)', () => {
    for (const seed of seedsToRun(300, 7000)) {
      withSeed(seed, () => {
        const rng = new Rng(seed);
        const s = applyEdits('', randomEdits(rng, '', 6));
        const a = randomEdits(rng, s);
        const b = randomEdits(rng, s);
        const [a2, b2] = transform(a, b);
        expect(applyEdits(applyEdits(s, a), b2)).toBe(applyEdits(applyEdits(s, b), a2));
      });
    }
  });

  it('moves a cursor over edits before it', () => {
    expect(transformIndex(3, [['i', 0, 'ab']])).toBe(5);
    expect(transformIndex(3, [['i', 3, 'ab']])).toBe(5);
    expect(transformIndex(3, [['d', 1, 5]])).toBe(1);
    expect(transformIndex(3, [['d', 3, 5]])).toBe(3);
  });
});
