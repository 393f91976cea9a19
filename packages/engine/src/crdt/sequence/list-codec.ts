/**
 * List snapshots: the runs, slots and element records, as one canonical-CBOR value. Lists hold
 * arbitrary values and are far smaller than texts, so this favours simplicity over the columnar
 * tricks of text-codec.ts; it still loads runs directly into the tree (no op replay).
 *
 * `[1, agents, clock, blocks, runs, cells]`: `blocks` holds per agent its id blocks as
 * `[start, length, ...]` (id-blocks.ts); all other counters are dense. `runs` is a flat list of 8
 * numbers per run in document order (agent, counter, length, deleted, left agent, left counter,
 * right agent, right counter; agent -1 for no origin); `cells` has one entry per slot:
 * `[value, deleted, slotAgent, slotCounter, clock]` for the slot an element was inserted in,
 * `[agent, counter]` (the element id) for a slot created by a move.
 */
import { type CanonicalValue, decode, encode } from '../../encoding/canonical.ts';
import { WeftError } from '../../errors.ts';
import { type Cell, LIST_CONTENT, checkValues, elementAt } from './list-cell.ts';
import type { List } from './list.ts';
import { isAgent, isCount } from './op.ts';
import { Leaf, bulkLoad } from './run-tree.ts';
import { NONE, Run } from './run.ts';
import { SequenceCore } from './sequence-core.ts';
import { checkOrigins } from './text-load.ts';

const VERSION = 1;
const FIELDS = 8;

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `list snapshot: ${msg}`);
}

/** Encodes a list's full state. */
export function encodeListState<T extends CanonicalValue>(list: List<T>): Uint8Array {
  const core = list.core;
  const runs: number[] = [];
  const cells: CanonicalValue[] = [];
  core.tree.forEach((r) => {
    runs.push(r.agent, r.counter, r.len, r.deleted ? 1 : 0, r.olA, r.olC, r.orA, r.orC);
    r.content.forEach((c, k) => {
      const own = c.a === r.agent && c.d === r.counter + k;
      cells.push(own ? [c.value, c.deleted, c.slotA, c.slotD, c.clock] : [c.a, c.d]);
    });
  });
  const blocks = core.blocks.map((b) => b.starts.flatMap((start, i) => [start, b.lens[i]!]));
  return encode([VERSION, core.agents, list.clock, blocks, runs, cells]);
}

/** Decodes a list snapshot; throws `E_DECODE` for anything malformed or inconsistent. */
export function decodeListState<T extends CanonicalValue>(
  bytes: Uint8Array,
): { core: SequenceCore<Cell<T>[]>; clock: number } {
  const v = decode(bytes);
  if (!Array.isArray(v) || v.length !== 6 || v[0] !== VERSION) fail('not a list snapshot');
  const [, agents, clock, blockList, flat, cellList] = v as readonly CanonicalValue[];
  if (!Array.isArray(agents) || !agents.every(isAgent) || new Set(agents).size !== agents.length) fail('bad agents');
  if (!isCount(clock)) fail('bad clock');
  if (!Array.isArray(blockList) || blockList.length !== agents.length) fail('bad blocks');
  if (!Array.isArray(flat) || flat.length % FIELDS !== 0 || !Array.isArray(cellList)) fail('bad runs');
  const names = agents as readonly string[];
  const core = new SequenceCore<Cell<T>[]>(LIST_CONTENT<T>());
  names.forEach((n, a) => {
    core.agent(n);
    const list = blockList[a] as unknown;
    if (!Array.isArray(list) || list.length % 2 !== 0) fail('bad blocks');
    for (let i = 0; i < list.length; i += 2) {
      const [start, len] = [list[i] as unknown, list[i + 1] as unknown];
      if (!isCount(start) || !isCount(len) || len < 1 || (i > 0 && start <= core.blocks[a]!.end)) fail('bad block');
      if (!Number.isSafeInteger(start + len)) fail('bad block');
      core.register(a, start, len);
    }
  });
  const runs: Run<Cell<T>[]>[] = [];
  const dummy = new Leaf<Cell<T>[]>();
  const refs: [Run<Cell<T>[]>, number, number, number][] = [];
  const agentOk = (a: unknown, none: boolean): a is number =>
    typeof a === 'number' && Number.isSafeInteger(a) && a >= (none ? NONE : 0) && a < names.length;
  const idOk = (a: number, d: unknown, len = 1): boolean =>
    a === NONE ? d === 0 : isCount(d) && d + len <= core.blocks[a]!.total;
  let ci = 0;
  for (let i = 0; i < flat.length; i += FIELDS) {
    const [a, c, len, del, olA, olC, orA, orC] = flat.slice(i, i + FIELDS) as unknown[];
    if (!agentOk(a, false) || !isCount(len) || len < 1 || !idOk(a, c, len) || (del !== 0 && del !== 1)) fail('bad run');
    if (!agentOk(olA, true) || !idOk(olA, olC) || !agentOk(orA, true) || !idOk(orA, orC)) fail('bad origins');
    if (ci + len > cellList.length) fail('missing cells');
    const content: Cell<T>[] = [];
    const run = new Run<Cell<T>[]>(
      a,
      c as number,
      len,
      content,
      del === 1,
      olA,
      olC as number,
      orA,
      orC as number,
      dummy,
    );
    for (let k = 0; k < len; k++) {
      const e = cellList[ci++] as unknown;
      if (Array.isArray(e) && e.length === 5) {
        const [value, d, sA, sD, k2] = e as unknown[];
        if (!checkValues([value]) || typeof d !== 'boolean' || !agentOk(sA, false) || !idOk(sA, sD) || !isCount(k2))
          fail('bad element');
        content.push({
          a,
          d: (c as number) + k,
          value: value as T,
          deleted: d,
          slotA: sA,
          slotD: sD as number,
          clock: k2,
        });
      } else if (Array.isArray(e) && e.length === 2 && agentOk(e[0], false) && idOk(e[0], e[1])) {
        content.push(undefined as unknown as Cell<T>);
        refs.push([run, k, e[0], e[1] as number]);
      } else fail('bad cell');
    }
    runs.push(run);
  }
  if (ci !== cellList.length) fail('extra cells');
  core.tree = bulkLoad(runs);
  indexBySort(core, runs);
  for (const [run, k, a, d] of refs) {
    const cell = elementAt(core, a, d);
    if (cell === undefined) fail('move slot names no element');
    run.content[k] = cell;
  }
  checkSlots(core, runs);
  checkOrigins(core, runs);
  return { core, clock };
}

function indexBySort<T>(core: SequenceCore<Cell<T>[]>, runs: Run<Cell<T>[]>[]): void {
  const per: Run<Cell<T>[]>[][] = core.agents.map(() => []);
  for (const r of runs) per[r.agent]!.push(r);
  per.forEach((list, a) => {
    list.sort((x, y) => x.counter - y.counter);
    let next = 0;
    for (const r of list) {
      if (r.counter !== next) fail('runs do not cover the ids exactly once');
      next += r.len;
    }
    if (next !== core.blocks[a]!.total) fail('runs do not cover the ids exactly once');
    core.byAgent[a]!.load(list);
  });
}

/** A slot is visible exactly when it is its element's register winner and the element lives. */
function checkSlots<T>(core: SequenceCore<Cell<T>[]>, runs: Run<Cell<T>[]>[]): void {
  for (const r of runs)
    r.content.forEach((cell, k) => {
      const winner = cell.slotA === r.agent && cell.slotD === r.counter + k;
      if (r.deleted === (winner && !cell.deleted)) fail('slot visibility contradicts its element');
    });
  for (const r of runs)
    for (const cell of r.content) {
      const slot = core.find(cell.slotA, cell.slotD);
      if (slot === undefined || slot.content[cell.slotD - slot.counter] !== cell) fail('register names a foreign slot');
    }
}
