import { describe, expect, it } from 'vitest';
import { isWeftError } from '../../errors.ts';
import { type Burst, CHANGE_STRIDE, EditFolder, type FolderTimer } from './edit-folder.ts';
import { List } from './list.ts';
import { insertCount } from './op.ts';
import { Text } from './text.ts';

const A = 'a'.repeat(64);

class FakeTimer implements FolderTimer {
  now = 0;
  private timers: { at: number; cb: () => void }[] = [];
  set(cb: () => void, ms: number): unknown {
    const t = { at: this.now + ms, cb };
    this.timers.push(t);
    return t;
  }
  clear(h: unknown): void {
    this.timers = this.timers.filter((t) => t !== h);
  }
  advance(ms: number): void {
    this.now += ms;
    const due = this.timers.filter((t) => t.at <= this.now);
    this.timers = this.timers.filter((t) => t.at > this.now);
    for (const t of due) t.cb();
  }
  get armed(): number {
    return this.timers.length;
  }
}

function setup(opts: { maxOps?: number } = {}) {
  const timer = new FakeTimer();
  const bursts: Burst<string>[] = [];
  let lastSeq = 10;
  const folder = new EditFolder<string>({
    agent: A,
    nextSeq: () => lastSeq + 1,
    flush: (b) => {
      // The engine turns each burst into the author's next change.
      expect(b.seq).toBe(lastSeq + 1);
      lastSeq = b.seq;
      bursts.push(b);
    },
    timer,
    ...opts,
  });
  return { timer, bursts, folder };
}

/** Applies bursts on a fresh text the way the engine numbers ids. */
function replay(bursts: Burst<string>[]): Text {
  const t = new Text();
  for (const b of bursts) {
    let k = 0;
    for (const { op } of b.edits) {
      t.apply(op, A, b.seq * CHANGE_STRIDE + k);
      k += insertCount(op);
    }
  }
  return t;
}

describe('EditFolder', () => {
  it('applies each keystroke at once and flushes one folded op after 250 ms', () => {
    const { timer, bursts, folder } = setup();
    const text = new Text();
    for (const [i, ch] of [...'hello'].entries()) {
      folder.insert('f', text, i, ch);
      expect(text.toString()).toBe('hello'.slice(0, i + 1));
    }
    timer.advance(249);
    expect(bursts).toHaveLength(0);
    timer.advance(1);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]!.seq).toBe(11);
    expect(bursts[0]!.edits).toEqual([{ key: 'f', op: [0, null, null, 'hello'] }]);
    expect(replay(bursts).toString()).toBe('hello');
  });

  it('folds backspaces into one delete and keeps unrelated ops apart', () => {
    const { bursts, folder } = setup();
    const text = new Text();
    const other = new Text();
    folder.insert('f', text, 0, 'abcdef');
    for (let i = 5; i >= 2; i--) folder.delete('f', text, i, 1);
    folder.insert('g', other, 0, 'x');
    folder.insert('f', text, 2, 'Z');
    folder.flush();
    expect(text.toString()).toBe('abZ');
    const ops = bursts[0]!.edits.map((e) => e.op);
    expect(ops).toEqual([[0, null, null, 'abcdef'], [1, [0, 11 * CHANGE_STRIDE + 2, 4]], [0, null, null, 'x'], ops[3]]);
    // Ids count across keys: "x" took k = 6, so the folded "Z" starts at k = 7.
    const texts = new Map<string, Text>();
    let k = 0;
    for (const { key, op } of bursts[0]!.edits) {
      const t = texts.get(key) ?? new Text();
      texts.set(key, t);
      t.apply(op, A, 11 * CHANGE_STRIDE + k);
      k += insertCount(op);
    }
    expect(texts.get('f')!.toString()).toBe('abZ');
    expect(texts.get('g')!.toString()).toBe('x');
  });

  it('closes a burst after maxOps edits and opens the next with a new seq', () => {
    const { timer, bursts, folder } = setup({ maxOps: 3 });
    const text = new Text();
    for (let i = 0; i < 7; i++) folder.insert('f', text, i, String(i));
    expect(bursts.map((b) => b.seq)).toEqual([11, 12]);
    expect(timer.armed).toBe(1);
    timer.advance(250);
    expect(bursts.map((b) => b.seq)).toEqual([11, 12, 13]);
    expect(replay(bursts).toString()).toBe('0123456');
  });

  it('flushes on demand, never sends empty bursts, ignores stale timers', () => {
    const { timer, bursts, folder } = setup();
    folder.flush();
    expect(bursts).toHaveLength(0);
    const text = new Text();
    folder.insert('f', text, 0, 'a');
    folder.flush();
    folder.insert('f', text, 1, 'b');
    timer.advance(1000);
    folder.dispose();
    expect(bursts.map((b) => b.edits.length)).toEqual([1, 1]);
    expect(replay(bursts).toString()).toBe('ab');
  });

  it('consumes no seq for edits that fail', () => {
    const { timer, bursts, folder } = setup();
    const text = new Text();
    expect(() => folder.insert('f', text, 5, 'x')).toThrow(/E_INVALID_ARGUMENT/);
    timer.advance(300);
    folder.insert('f', text, 0, 'ok');
    folder.flush();
    expect(bursts.map((b) => b.seq)).toEqual([11]);
    expect(replay(bursts).toString()).toBe('ok');
  });

  it('refuses a single edit larger than one change can number', () => {
    const { folder } = setup();
    try {
      folder.insert('f', new Text(), 0, 'x'.repeat(CHANGE_STRIDE + 1));
      expect.unreachable();
    } catch (e) {
      expect(isWeftError(e, 'E_TOO_LARGE')).toBe(true);
    }
  });

  it('numbers list inserts and moves across a burst', () => {
    const { bursts, folder } = setup();
    const list = new List<number>();
    folder.insert('l', list, 0, [1, 2, 3]);
    folder.move('l', list, 0, 2);
    folder.insert('l', list, 0, [0]);
    folder.flush();
    const remote = new List<number>();
    let k = 0;
    for (const { op } of bursts[0]!.edits) {
      remote.apply(op, A, 11 * CHANGE_STRIDE + k);
      k += insertCount(op);
    }
    expect(list.toArray()).toEqual([0, 2, 3, 1]);
    expect(remote.toArray()).toEqual(list.toArray());
  });
});
