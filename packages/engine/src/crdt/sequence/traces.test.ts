import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../encoding/canonical.ts';
import { type Burst, CHANGE_STRIDE, EditFolder } from './edit-folder.ts';
import { type SeqOp, insertCount } from './op.ts';
import { Text } from './text.ts';

interface Trace {
  startContent: string;
  endContent: string;
  txns: { time: string; patches: [number, number, string][] }[];
}

const DIR = fileURLToPath(new URL('../../../../../../shared/traces/', import.meta.url));
const NAMES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json.gz'))
  .map((f) => f.slice(0, -'.json.gz'.length))
  .sort();
const AUTHOR = 'ab'.repeat(32);
const BURST_MS = 250;
const BURST_OPS = 1000;

function load(name: string): Trace {
  return JSON.parse(gunzipSync(readFileSync(`${DIR}${name}.json.gz`)).toString('utf8')) as Trace;
}

/** A change as the engine would carry it: its seq and its ops in order. */
interface Change {
  seq: number;
  ops: SeqOp[];
}

/** Replays a trace as local edits, one op per edit, grouped into 250 ms / 1,000-edit changes. */
function replayLocal(t: Trace): { text: Text; changes: Change[] } {
  const text = new Text();
  const changes: Change[] = [];
  let cur: Change | null = null;
  let start = -Infinity;
  let k = 0;
  let n = 0;
  const edit = (f: (counter: number) => SeqOp): void => {
    const op = f(cur!.seq * CHANGE_STRIDE + k);
    k += insertCount(op);
    cur!.ops.push(op);
  };
  if (t.startContent !== '') t.txns.unshift({ time: '', patches: [[0, 0, t.startContent]] });
  for (const tx of t.txns) {
    const time = Date.parse(tx.time) || 0;
    if (cur === null || time - start >= BURST_MS || n >= BURST_OPS) {
      cur = { seq: changes.length + 1, ops: [] };
      changes.push(cur);
      start = time;
      k = 0;
      n = 0;
    }
    for (const [pos, del, ins] of tx.patches) {
      n++;
      if (del > 0) edit(() => text.delete(pos, del, AUTHOR));
      if (ins !== '') edit((c) => text.insert(pos, ins, AUTHOR, c));
    }
  }
  return { text, changes };
}

/** Applies changes on a fresh replica, numbering ids like the engine; optionally through the canonical encoding. */
function replayRemote(changes: readonly Change[], canonical: boolean): Text {
  const text = new Text();
  for (const ch of changes) {
    const ops = canonical ? (decode(encode(ch.ops)) as SeqOp[]) : ch.ops;
    let k = 0;
    for (const op of ops) {
      text.apply(op, AUTHOR, ch.seq * CHANGE_STRIDE + k);
      k += insertCount(op);
    }
  }
  return text;
}

describe.each(NAMES)('trace %s', (name) => {
  const t = load(name);

  it('replays locally, remotely and through a snapshot to its endContent', () => {
    const { text, changes } = replayLocal(t);
    expect(text.toString()).toBe(t.endContent);
    expect(text.length).toBe([...t.endContent].length);
    const remote = replayRemote(changes, false);
    expect(remote.toString()).toBe(t.endContent);
    const snap = text.encodeState();
    const loaded = Text.decodeState(snap);
    expect(loaded.toString()).toBe(t.endContent);
    expect(loaded.encodeState()).toEqual(snap);
    expect(remote.encodeState()).toEqual(snap);
  });

  it('folds edits into bursts with EditFolder and replays the bursts remotely', () => {
    let clock = 0;
    let timers: { at: number; cb: () => void }[] = [];
    const bursts: Burst<string>[] = [];
    const folder = new EditFolder<string>({
      agent: AUTHOR,
      nextSeq: () => bursts.length + 1,
      flush: (b) => bursts.push(b),
      timer: {
        set: (cb, ms) => {
          const t = { at: clock + ms, cb };
          timers.push(t);
          return t;
        },
        clear: (h) => (timers = timers.filter((t) => t !== h)),
      },
    });
    const text = new Text();
    let edits = 0;
    for (const tx of t.txns) {
      clock = Date.parse(tx.time) || 0;
      const due = timers.filter((x) => x.at <= clock);
      timers = timers.filter((x) => x.at > clock);
      for (const x of due) x.cb();
      for (const [pos, del, ins] of tx.patches) {
        if (del > 0) folder.delete('doc', text, pos, del);
        if (ins !== '') folder.insert('doc', text, pos, ins);
        edits++;
      }
    }
    folder.flush();
    expect(text.toString()).toBe(t.endContent);
    const changes = bursts.map((b) => ({ seq: b.seq, ops: b.edits.map((e) => e.op) }));
    const ops = changes.reduce((n, c) => n + c.ops.length, 0);
    expect(ops).toBeLessThan(edits);
    // Folded bursts travel through the canonical encoding, as signed changes would.
    expect(replayRemote(changes, true).toString()).toBe(t.endContent);
  });
});
