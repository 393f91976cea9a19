/**
 * The loading half of text-codec.ts: splits decoded segments back into runs at id-block
 * boundaries, bulk-loads the tree and the id index (no op replay) and checks the result.
 */
import { WeftError } from '../../errors.ts';
import type { IdBlocks } from './id-blocks.ts';
import { Leaf, bulkLoad } from './run-tree.ts';
import { NONE, Run, TEXT_CONTENT, codePoints } from './run.ts';
import { SequenceCore } from './sequence-core.ts';
import type { Seg } from './segment-codec.ts';

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** Builds a core from decoded segments and the visible content. */
export function loadSegments(
  names: readonly string[],
  blocks: readonly IdBlocks[],
  segs: readonly Seg[],
  content: string,
): SequenceCore<string> {
  let visible = 0;
  for (const s of segs) if (!s.deleted) visible += s.len;
  const bmp = content.length === visible;
  if (!bmp && codePoints(content) !== visible) fail('content length does not match the segments');
  const dummy = new Leaf<string>();
  const runs: Run<string>[] = [];
  const denseOf: number[] = [];
  const segOf: number[] = [];
  let pos = 0;
  for (let si = 0; si < segs.length; si++) {
    const s = segs[si]!;
    const b = blocks[s.agent]!;
    let text = '';
    if (!s.deleted) {
      const end = bmp ? pos + s.len : unitEnd(content, pos, s.len);
      text = content.slice(pos, end);
      pos = end;
    }
    let olA = s.olA === NONE ? NONE : s.olA;
    let olC = s.olA === NONE ? 0 : blocks[s.olA]!.toReal(s.olD);
    const orC = s.orA === NONE ? 0 : blocks[s.orA]!.toReal(s.orD);
    let bi = b.blockOfDense(s.dense);
    let d = s.dense;
    let off = 0;
    while (off < s.len) {
      if (d >= b.dense[bi]! + b.lens[bi]!) bi++;
      const take = Math.min(s.len - off, b.dense[bi]! + b.lens[bi]! - d);
      const real = b.starts[bi]! + d - b.dense[bi]!;
      const c = s.deleted ? '' : off === 0 && take === s.len ? text : TEXT_CONTENT.slice(text, off, off + take, s.len);
      runs.push(new Run(s.agent, real, take, c, s.deleted, olA, olC, s.orA, orC, dummy));
      denseOf.push(d);
      segOf.push(si);
      olA = s.agent;
      olC = real + take - 1;
      d += take;
      off += take;
    }
  }
  const tree = bulkLoad(runs);
  const core = new SequenceCore<string>(TEXT_CONTENT, tree);
  for (const n of names) core.agent(n);
  indexRuns(core, blocks, runs, denseOf);
  checkOrigins(core, runs);
  return core;
}

function unitEnd(s: string, from: number, cps: number): number {
  let i = from;
  for (let k = 0; k < cps; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  return i;
}

/** Fills the id index and checks that the runs cover every id exactly once. */
function indexRuns(
  core: SequenceCore<string>,
  blocks: readonly IdBlocks[],
  runs: Run<string>[],
  denseOf: number[],
): void {
  const per: number[][] = blocks.map(() => []);
  for (let i = 0; i < runs.length; i++) per[runs[i]!.agent]!.push(i);
  per.forEach((idx, a) => {
    idx.sort((x, y) => denseOf[x]! - denseOf[y]!);
    let next = 0;
    const sorted = idx.map((i) => {
      if (denseOf[i] !== next) fail('runs do not cover the ids exactly once');
      next += runs[i]!.len;
      return runs[i]!;
    });
    if (next !== blocks[a]!.total) fail('runs do not cover the ids exactly once');
    core.byAgent[a]!.load(sorted);
  });
}

/** Every left origin must sit before its run and every right origin after it (E_DECODE otherwise). */
export function checkOrigins<C>(core: SequenceCore<C>, runs: Run<C>[]): void {
  const at = new Map<Run<C>, number>();
  const start = new Float64Array(runs.length + 1);
  for (let i = 0; i < runs.length; i++) {
    at.set(runs[i]!, i);
    start[i + 1] = start[i]! + runs[i]!.len;
  }
  const posOf = (a: number, c: number): number => {
    const run = core.find(a, c)!;
    return start[at.get(run)!]! + c - run.counter;
  };
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i]!;
    if (r.olA !== NONE && posOf(r.olA, r.olC) >= start[i]!) fail('left origin after its run');
    if (r.orA !== NONE && posOf(r.orA, r.orC) < start[i + 1]!) fail('right origin before its run');
  }
}
