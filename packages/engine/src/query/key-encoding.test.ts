import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { compareBytes } from '../bytes.ts';
import {
  decodeKeyValues,
  encodeKeyValue,
  encodeKeyValues,
  fromLatin1,
  latin1,
  stringPrefixKey,
} from './key-encoding.ts';
import { compareStrings, compareValues } from './value-order.ts';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

// Small alphabets make equal prefixes, escapes and cross-plane comparisons likely.
const str = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', 'b', '\0', '\u00ff', '\uffff', '\u{1F600}', '\ue000'), maxLength: 4 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
);
const num = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-0, 0.5, -0.5, Number.MIN_VALUE, -Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2),
);
const { value } = fc.letrec<{ value: CanonicalValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    num,
    str,
    fc.uint8Array({ maxLength: 4 }).map((b) => b.map((x) => (x % 3 === 0 ? 0 : x))),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'a\0', 'ab', ''), tie('value'), { maxKeys: 3 }),
  ),
}));

describe('value order and the order-preserving key encoding', () => {
  it('orders the type classes null < booleans < numbers < strings < bytes < arrays < objects', () => {
    const ladder: CanonicalValue[] = [
      null,
      false,
      true,
      -1e300,
      -1,
      0,
      1.5,
      2,
      '',
      'a',
      new Uint8Array([0]),
      [],
      [null],
      {},
      { a: 1 },
    ];
    for (let i = 0; i < ladder.length; i++)
      for (let j = 0; j < ladder.length; j++) {
        expect(sign(compareValues(ladder[i]!, ladder[j]!))).toBe(sign(i - j));
        expect(sign(compareBytes(encodeKeyValue(ladder[i]!), encodeKeyValue(ladder[j]!)))).toBe(sign(i - j));
      }
  });

  it('compares strings by code point, not UTF-16 unit', () => {
    expect('\uffff' < '\u{1F600}').toBe(false); // JS order disagrees…
    expect(compareStrings('\uffff', '\u{1F600}')).toBeLessThan(0); // …code point order does not
    expect(compareValues('a', 'a\0')).toBeLessThan(0);
    expect(compareValues(-0, 0)).toBe(0);
    expect(encodeKeyValue(-0)).toEqual(encodeKeyValue(0));
  });

  it('byte order of encodings equals value order (property)', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(sign(compareBytes(encodeKeyValue(a), encodeKeyValue(b)))).toBe(sign(compareValues(a, b)));
      }),
      { numRuns: 3000 },
    );
  });

  it('concatenated tuples order lexicographically (property)', () => {
    const tuple = fc.array(value, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(tuple, tuple, (a, b) => {
        let expected = 0;
        for (let i = 0; i < Math.min(a.length, b.length) && expected === 0; i++) expected = compareValues(a[i]!, b[i]!);
        if (expected === 0) expected = a.length - b.length;
        expect(sign(compareBytes(encodeKeyValues(a), encodeKeyValues(b)))).toBe(sign(expected));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes what it encodes, and latin1 keys keep byte order', () => {
    fc.assert(
      fc.property(fc.array(value, { maxLength: 3 }), value, (vs, other) => {
        const bytes = encodeKeyValues(vs);
        expect(compareValues(decodeKeyValues(bytes), vs)).toBe(0);
        expect(fromLatin1(latin1(bytes))).toEqual(bytes);
        const ob = encodeKeyValue(other);
        const l = latin1(bytes);
        const r = latin1(ob);
        expect(sign(l < r ? -1 : l > r ? 1 : 0)).toBe(sign(compareBytes(bytes, ob)));
      }),
      { numRuns: 1000 },
    );
  });

  it('a string prefix key bounds exactly the strings that start with it', () => {
    fc.assert(
      fc.property(str, str, (prefix, s) => {
        const k = stringPrefixKey(prefix);
        const e = encodeKeyValue(s);
        const hasPrefix = e.length >= k.length && k.every((b, i) => e[i] === b);
        expect(hasPrefix).toBe(s.startsWith(prefix));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects malformed keys', () => {
    expect(() => decodeKeyValues(new Uint8Array([0x99]))).toThrow(/E_DECODE/);
    expect(() => decodeKeyValues(new Uint8Array([0x40, 0x61]))).toThrow(/E_DECODE/);
    expect(() => decodeKeyValues(new Uint8Array([0x60, 0x10]))).toThrow(/E_DECODE/);
    expect(() => encodeKeyValue(Number.NaN)).toThrow(/E_INVALID_ARGUMENT/);
  });
});
