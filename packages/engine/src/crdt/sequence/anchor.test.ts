import { describe, expect, it } from 'vitest';
import { isWeftError } from '../../errors.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import { List } from './list.ts';
import { Text } from './text.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const at = (seq: number): number => seq * CHANGE_STRIDE;

/** "hello world" on two replicas. */
function pair(): [Text, Text] {
  const a = new Text();
  const b = new Text();
  b.apply(a.insert(0, 'hello world', A, at(1)), A, at(1));
  return [a, b];
}

describe('stable positions', () => {
  it('follow their characters across remote inserts before and after them', () => {
    const [a, b] = pair();
    const cursor = a.anchor(6, 'after'); // before "world"
    b.apply(a.insert(0, '>> ', A, at(2)), A, at(2));
    expect(a.resolve(cursor)).toBe(9);
    a.apply(b.insert(14, '!!', B, at(1)), B, at(1));
    expect(a.resolve(cursor)).toBe(9);
    expect(a.toString().slice(a.resolve(cursor))).toBe('world!!');
  });

  it('choose a side for text inserted exactly at the position', () => {
    const [a, b] = pair();
    const before = a.anchor(5, 'before'); // bound to "o" of hello
    const after = a.anchor(5, 'after'); // bound to " "
    a.apply(b.insert(5, ', dear', B, at(1)), B, at(1));
    expect(a.toString()).toBe('hello, dear world');
    expect(a.resolve(before)).toBe(5);
    expect(a.resolve(after)).toBe(11);
  });

  it('collapse deterministically when their character is deleted', () => {
    const [a, b] = pair();
    const onW = a.anchor(6, 'after');
    const afterW = b.anchor(7, 'before');
    const del = a.delete(4, 4, A); // "hell" + "orld"
    b.apply(del, A, 0);
    const ins = b.insert(4, 'XY', B, at(1)); // lands where the deleted run was
    a.apply(ins, B, at(1));
    expect(a.toString()).toBe(b.toString());
    for (const t of [a, b]) {
      expect(t.resolve(onW)).toBe(a.resolve(onW));
      expect(t.resolve(afterW)).toBe(a.resolve(afterW));
    }
    // Tombstones stay in place: the gap is between "hell" and "XY" + "orld".
    expect(a.resolve(onW)).toBe(4);
  });

  it('pin the document edges', () => {
    const [a, b] = pair();
    const start = a.anchor(0, 'before');
    const end = a.anchor(11, 'after');
    expect(start.id).toBeNull();
    expect(end.id).toBeNull();
    a.apply(b.insert(0, '<', B, at(1)), B, at(1));
    a.apply(b.insert(12, '>', B, at(2)), B, at(2));
    expect(a.resolve(start)).toBe(0);
    expect(a.resolve(end)).toBe(13);
  });

  it('are plain data that survive snapshots', () => {
    const [a] = pair();
    const anchor = a.anchor(3, 'after');
    const copy = JSON.parse(JSON.stringify(anchor)) as typeof anchor;
    expect(Text.decodeState(a.encodeState()).resolve(copy)).toBe(3);
  });

  it('reject unknown elements and malformed anchors', () => {
    const [a] = pair();
    const expectCode = (f: () => unknown, code: 'E_VALIDATION' | 'E_DECODE' | 'E_INVALID_ARGUMENT') => {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(isWeftError(e, code)).toBe(true);
      }
    };
    expectCode(() => a.resolve({ id: [B, 5], assoc: 'after' }), 'E_VALIDATION');
    expectCode(() => a.resolve({ id: [A, at(9)], assoc: 'after' }), 'E_VALIDATION');
    expectCode(() => a.resolve({ id: ['', 1], assoc: 'after' } as never), 'E_DECODE');
    expectCode(() => a.resolve({ id: null, assoc: 'sideways' } as never), 'E_DECODE');
    expectCode(() => a.anchor(12, 'after'), 'E_INVALID_ARGUMENT');
  });

  it('work on lists too', () => {
    const l = new List<string>();
    l.insert(0, ['a', 'b', 'c'], A, at(1));
    const onC = l.anchor(2, 'after');
    l.insert(0, ['z'], A, at(2));
    expect(l.resolve(onC)).toBe(3);
  });
});
