import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../encoding/canonical.ts';
import { CHANGE_STRIDE } from './edit-folder.ts';
import type { SeqOp } from './op.ts';
import { Text } from './text.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

interface Sent {
  op: SeqOp;
  agent: string;
  counter: number;
}

/** Types `word` at `pos`, one character per op (and per change), forwards or backwards. */
function type(t: Text, agent: string, seq0: number, pos: number, word: string, backwards: boolean): Sent[] {
  const out: Sent[] = [];
  [...word].forEach((_, i) => {
    const ch = backwards ? word[word.length - 1 - i]! : word[i]!;
    const counter = (seq0 + i) * CHANGE_STRIDE;
    out.push({ op: t.insert(backwards ? pos : pos + i, ch, agent, counter), agent, counter });
  });
  return out;
}

function deliver(t: Text, ops: Sent[]): void {
  for (const s of ops) t.apply(decode(encode(s.op)), s.agent, s.counter);
}

describe('non-interleaving', () => {
  it('two authors typing concurrently at one place never interleave (forwards or backwards)', () => {
    const word = (chars: string) => fc.stringMatching(new RegExp(`^[${chars}]{1,10}$`));
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{0,8}$/),
        fc.nat(),
        word('a-z'),
        word('A-Z'),
        fc.boolean(),
        fc.boolean(),
        (base, at, w1, w2, back1, back2) => {
          const a = new Text();
          const b = new Text();
          const setup: Sent[] =
            base === '' ? [] : [{ op: a.insert(0, base, A, CHANGE_STRIDE), agent: A, counter: CHANGE_STRIDE }];
          deliver(b, setup);
          const pos = at % (base.length + 1);
          const fromA = type(a, A, 2, pos, w1, back1);
          const fromB = type(b, B, 2, pos, w2, back2);
          deliver(a, fromB);
          deliver(b, fromA);
          const merged = a.toString();
          expect(b.toString()).toBe(merged);
          expect(merged).toContain(w1);
          expect(merged).toContain(w2);
          expect(merged.replace(w1, '').replace(w2, '')).toBe(base);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps words whole when each keystroke is exchanged live (cursors as anchors)', () => {
    const a = new Text();
    const b = new Text();
    let curA = a.anchor(0, 'before');
    let curB = b.anchor(0, 'before');
    for (let i = 0; i < 5; i++) {
      const c = (i + 1) * CHANGE_STRIDE;
      const pa = a.resolve(curA);
      const pb = b.resolve(curB);
      const oa = a.insert(pa, 'hello'[i]!, A, c);
      const ob = b.insert(pb, 'WORLD'[i]!, B, c);
      curA = a.anchor(pa + 1, 'before');
      curB = b.anchor(pb + 1, 'before');
      a.apply(ob, B, c);
      b.apply(oa, A, c);
    }
    expect(a.toString()).toBe(b.toString());
    expect(['helloWORLD', 'WORLDhello']).toContain(a.toString());
  });
});
