import { describe, expect, it } from 'vitest';
import { type WeftErrorCode, isWeftError } from '../../errors.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import { List } from './list.ts';
import { Rng, parseSeed } from './test-random.ts';
import { Text } from './text.ts';

const SEED = parseSeed(process.env['WEFT_SEED']);
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const at = (seq: number): number => seq * CHANGE_STRIDE;

function codeOf(f: () => unknown): WeftErrorCode | 'none' | 'foreign' {
  try {
    f();
    return 'none';
  } catch (e) {
    return isWeftError(e) ? e.code : 'foreign';
  }
}

/** "hello" by A, then " world" by B typed after it, then "hello" minus "ll" deleted by A. */
function sample(): Text {
  const t = new Text();
  t.apply([0, null, null, 'hello'], A, at(1));
  t.apply([0, [1, at(1) + 4], null, ' world', A], B, at(1));
  t.apply([1, [0, at(1) + 2, 2]], A, 0);
  return t;
}

describe('malformed ops', () => {
  const garbage: [string, unknown][] = [
    ['null', null],
    ['number', 42],
    ['string', 'insert'],
    ['map', { k: 'i' }],
    ['empty tuple', []],
    ['unknown kind', [7, null, null, 'x']],
    ['short insert', [0, null, null]],
    ['empty text', [0, null, null, '']],
    ['lone surrogate', [0, null, null, '\ud800']],
    ['bad id shape', [0, [0], null, 'x']],
    ['agent ref out of range', [0, [2, at(1)], null, 'x', B]],
    ['negative counter', [0, [0, -1], null, 'x']],
    ['fractional counter', [0, [0, 1.5], null, 'x']],
    ['non-string agent table', [0, null, null, 'x', 5]],
    ['over-long agent', [0, [1, 1], null, 'x', 'z'.repeat(129)]],
    ['delete not triples', [1, [0, at(1)]]],
    ['delete zero length', [1, [0, at(1), 0]]],
    ['delete empty', [1, []]],
    ['move on text', [2, [0, at(1)], null, null, 1]],
    ['list content on text', [0, null, null, ['x']]],
  ];

  it.each(garbage)('rejects %s with E_DECODE and changes nothing', (_, op) => {
    const t = sample();
    const before = t.encodeState();
    expect(codeOf(() => t.apply(op, A, at(5)))).toBe('E_DECODE');
    expect(t.encodeState()).toEqual(before);
  });

  const invalid: [string, unknown, string, number][] = [
    ['unknown left origin', [0, [0, at(1) + 9], null, 'x'], A, at(5)],
    ['unknown right origin', [0, null, [1, 3], 'x', B], A, at(5)],
    ['unknown agent', [0, [1, at(1)], null, 'x', 'c'.repeat(64)], A, at(5)],
    ['reused counters', [0, null, null, 'x'], A, at(1) + 3],
    ['counters below the last ones', [0, null, null, 'x'], A, 17],
    ['crossed origins', [0, [1, at(1) + 2], [0, at(1)], 'x', B], A, at(5)],
    ['delete of unknown ids', [1, [0, at(1) + 3, 3]], A, 0],
    ['delete reaching past a run', [1, [0, at(1), 6]], A, 0],
  ];

  it.each(invalid)('rejects %s with E_VALIDATION and changes nothing', (_, op, agent, counter) => {
    const t = sample();
    const before = t.encodeState();
    const text = t.toString();
    expect(codeOf(() => t.apply(op, agent, counter))).toBe('E_VALIDATION');
    expect(t.encodeState()).toEqual(before);
    expect(t.toString()).toBe(text);
  });

  it('rejects bad local arguments with E_INVALID_ARGUMENT', () => {
    const t = sample();
    expect(codeOf(() => t.insert(99, 'x', A, at(9)))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => t.insert(0, '', A, at(9)))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => t.insert(0, 'x', '', at(9)))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => t.insert(0, 'x', A, -1))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => t.insert(0, 'x', A, at(1)))).toBe('E_VALIDATION');
    expect(codeOf(() => t.delete(0, 99, A))).toBe('E_INVALID_ARGUMENT');
    expect(codeOf(() => new List().insert(0, [undefined as never], A, 0))).toBe('E_INVALID_ARGUMENT');
  });
});

describe('malformed snapshots', () => {
  it('rejects garbage and every truncation with E_DECODE', () => {
    const snap = sample().encodeState();
    for (const bytes of [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(64).fill(0xff)])
      expect(codeOf(() => Text.decodeState(bytes))).toBe('E_DECODE');
    for (let n = 0; n < snap.length; n++) expect(codeOf(() => Text.decodeState(snap.subarray(0, n)))).toBe('E_DECODE');
    expect(codeOf(() => Text.decodeState(Uint8Array.of(...snap, 0)))).toBe('E_DECODE');
    expect(codeOf(() => List.decodeState(snap))).toBe('E_DECODE');
    expect(codeOf(() => Text.decodeState(new List().encodeState()))).toBe('E_DECODE');
  });

  it(`never fails with anything but E_DECODE on corrupted bytes (WEFT_SEED=${SEED})`, () => {
    const rng = new Rng(SEED);
    const t = sample();
    t.insert(3, '😀 ok', B, at(3));
    t.delete(1, 2, B);
    const snap = t.encodeState();
    for (let i = 0; i < 3000; i++) {
      const bytes = snap.slice();
      for (let f = 1 + rng.int(3); f > 0; f--) bytes[rng.int(bytes.length)] = rng.int(256);
      const code = codeOf(() => Text.decodeState(bytes).toString());
      expect(['none', 'E_DECODE'], `WEFT_SEED=${SEED} case ${i}`).toContain(code);
    }
  });
});
