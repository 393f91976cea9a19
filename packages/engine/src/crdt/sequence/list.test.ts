import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../encoding/canonical.ts';
import { isWeftError } from '../../errors.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import { List } from './list.ts';
import type { SeqOp } from './op.ts';
import { checkInvariants } from './test-invariants.ts';
import { type Driver, Network } from './test-net.ts';
import { Rng, parseSeed } from './test-random.ts';

const SEED = parseSeed(process.env['WEFT_SEED']);
const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const C = 'c'.repeat(64);
const at = (seq: number): number => seq * CHANGE_STRIDE;

function send(to: List<string>, op: SeqOp, agent: string, counter: number): void {
  to.apply(decode(encode(op)), agent, counter);
}

function pair(items: string[]): [List<string>, List<string>] {
  const a = new List<string>();
  const b = new List<string>();
  send(b, a.insert(0, items, A, at(1)), A, at(1));
  return [a, b];
}

describe('list', () => {
  it('inserts, deletes, reads and round-trips nested values', () => {
    const l = new List();
    l.insert(0, [1, 'two', { three: [3, null, true] }], A, at(1));
    l.insert(1, [new Uint8Array([4])], A, at(2));
    expect(l.length).toBe(4);
    expect(l.get(2)).toBe('two');
    l.delete(0, 2, A);
    expect(l.toArray()).toEqual(['two', { three: [3, null, true] }]);
    expect(l.slice(1)).toEqual([{ three: [3, null, true] }]);
    expect(List.decodeState(l.encodeState()).toArray()).toEqual(l.toArray());
  });

  it('moves an element and replays the move remotely', () => {
    const [a, b] = pair(['w', 'x', 'y', 'z']);
    const op = a.move(0, 3, A, at(2));
    expect(a.toArray()).toEqual(['x', 'y', 'z', 'w']);
    send(b, op, A, at(2));
    expect(b.toArray()).toEqual(['x', 'y', 'z', 'w']);
    send(b, a.move(3, 1, A, at(3)), A, at(3));
    expect(b.toArray()).toEqual(['x', 'w', 'y', 'z']);
  });

  it('never duplicates an element moved concurrently to different places', () => {
    const [a, b] = pair(['w', 'x', 'y', 'z']);
    const c = List.decodeState<string>(b.encodeState());
    const ma = a.move(0, 3, A, at(2));
    const mb = b.move(0, 1, B, at(1));
    const mc = c.move(0, 2, C, at(1));
    send(a, mb, B, at(1));
    send(a, mc, C, at(1));
    send(b, mc, C, at(1));
    send(b, ma, A, at(2));
    send(c, ma, A, at(2));
    send(c, mb, B, at(1));
    for (const l of [a, b, c]) {
      expect(l.toArray()).toEqual(a.toArray());
      expect([...l.toArray()].sort()).toEqual(['w', 'x', 'y', 'z']);
    }
    // Equal clocks: the larger author wins, so C's move is the one that sticks.
    expect(a.toArray()).toEqual(['x', 'y', 'w', 'z']);
  });

  it('lets a move that saw another move win over it, whatever the authors', () => {
    const [a, b] = pair(['w', 'x', 'y']);
    const first = b.move(0, 2, B, at(1));
    send(a, first, B, at(1));
    const second = a.move(2, 1, A, at(2));
    send(b, second, A, at(2));
    expect(a.toArray()).toEqual(['x', 'w', 'y']);
    expect(b.toArray()).toEqual(a.toArray());
  });

  it('deletes win over concurrent moves', () => {
    const [a, b] = pair(['w', 'x', 'y']);
    const mv = a.move(0, 2, A, at(2));
    const del = b.delete(0, 1, B);
    send(a, del, B, 0);
    send(b, mv, A, at(2));
    expect(a.toArray()).toEqual(['x', 'y']);
    expect(b.toArray()).toEqual(['x', 'y']);
  });

  it('rejects ops that confuse elements and slots', () => {
    const [a, b] = pair(['w', 'x']);
    const mv = a.move(0, 1, A, at(2));
    send(b, mv, A, at(2));
    const before = b.encodeState();
    // The move's slot (A, at(2)) is not an element: moving or deleting it by that id is invalid.
    const bad: unknown[] = [
      [2, [0, at(2)], null, null, 9],
      [1, [0, at(2), 1]],
      [2, [0, at(1) + 7], null, null, 9],
    ];
    for (const op of bad) {
      expect(() => b.apply(op, A, at(3))).toThrow();
      try {
        b.apply(op, A, at(3));
      } catch (e) {
        expect(isWeftError(e, 'E_VALIDATION')).toBe(true);
      }
    }
    expect(() => b.apply([0, null, null, 'text'], A, at(4))).toThrow(/E_DECODE/);
    expect(() => b.apply([0, null, null, [undefined]], A, at(4))).toThrow(/E_DECODE/);
    expect(b.encodeState()).toEqual(before);
  });

  it(`converges under concurrent inserts, deletes and moves (seeded fuzz, WEFT_SEED=${SEED})`, () => {
    for (let round = 0; round < 25; round++) {
      const seed = (SEED + round) >>> 0;
      const rng = new Rng(seed);
      const driver: Driver<List<string>> = {
        make: () => new List<string>(),
        apply: (s, op, agent, cs) => s.apply(op, agent, cs),
      };
      const net = new Network(driver, 3 + rng.int(3), rng);
      const inserted = new Set<string>();
      const deleted = new Set<string>();
      let id = 0;
      for (let step = 0; step < 200; step++) {
        const i = rng.int(net.peers.length);
        if (rng.chance(0.6)) {
          net.local(i, (s, agent, cs) => {
            const len = s.length;
            const r = rng.float();
            if (len === 0 || r < 0.45) {
              const items = Array.from({ length: 1 + rng.int(3) }, () => `v${id++}`);
              items.forEach((v) => inserted.add(v));
              return s.insert(rng.int(len + 1), items, agent, cs);
            }
            if (r < 0.65) {
              const from = rng.int(len);
              const n = 1 + rng.int(Math.min(2, len - from));
              s.slice(from, from + n).forEach((v) => deleted.add(v));
              return s.delete(from, n, agent);
            }
            return s.move(rng.int(len), rng.int(len), agent, cs);
          });
        } else if (rng.chance(0.03)) {
          const p = net.peers[i]!;
          p.state = List.decodeState<string>(p.state.encodeState());
        } else net.deliverOne();
      }
      net.deliverAll();
      const msg = `replay with WEFT_SEED=${seed}`;
      const first = net.peers[0]!.state.toArray();
      for (const p of net.peers) expect(p.state.toArray(), msg).toEqual(first);
      for (const p of net.peers) checkInvariants(p.state.core);
      expect(new Set(first).size, msg).toBe(first.length);
      expect(new Set(first), msg).toEqual(new Set([...inserted].filter((v) => !deleted.has(v))));
      expect(List.decodeState(net.peers[0]!.state.encodeState()).toArray(), msg).toEqual(first);
    }
  });
});
