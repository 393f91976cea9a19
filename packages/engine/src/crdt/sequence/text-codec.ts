/**
 * Text snapshot codec: the full CRDT state (tombstones, ids, origins) in a compact columnar form,
 * loaded by building the tree directly from the runs, never by replaying ops.
 *
 * Layout: magic `WT`, version byte, agent table (a 64-digit hex key as 32 raw bytes), id blocks
 * (id-blocks.ts), segment count and columns (segment-codec.ts), then the visible content as one
 * UTF-8 string. Deleted content is dropped: it is never needed again, only its length.
 *
 * Trust: decoding validates structure (exact id coverage, resolvable origins placed before and
 * after their run) but cannot prove that the order is the FugueMax order of those origins
 * without replaying; load snapshots only from sources whose state hash you trust.
 */
import { WeftError } from '../../errors.ts';
import { fromUtf8, utf8 } from '../../bytes.ts';
import { readBlocks, writeBlocks } from './id-blocks.ts';
import { NONE, type Run, canMerge } from './run.ts';
import { type Seg, readSegments, writeSegments } from './segment-codec.ts';
import type { SequenceCore } from './sequence-core.ts';
import { loadSegments } from './text-load.ts';
import { ByteReader, ByteWriter } from './varint.ts';

const MAGIC0 = 0x57;
const MAGIC1 = 0x54;
const VERSION = 1;
const HEX64 = /^[0-9a-f]{64}$/;

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** Encodes the state of a text core. */
export function encodeTextState(core: SequenceCore<string>): Uint8Array {
  // Snapshot agent indexes: agents that own elements, sorted by name so that replicas holding
  // the same state write the same bytes.
  const order = core.agents.map((_, a) => a).filter((a) => core.blocks[a]!.total > 0);
  order.sort((x, y) => (core.agents[x]! < core.agents[y]! ? -1 : 1));
  const remap: number[] = core.agents.map(() => NONE);
  order.forEach((a, i) => (remap[a] = i));
  const names = order.map((a) => core.agents[a]!);
  const blocks = order.map((a) => core.blocks[a]!);
  const text: string[] = [];
  const segs = buildSegments(core, remap, text);
  const out = new ByteWriter();
  out.bytes(Uint8Array.of(MAGIC0, MAGIC1, VERSION));
  out.uint(names.length);
  for (const n of names) {
    if (HEX64.test(n)) {
      out.uint(0);
      const raw = new Uint8Array(32);
      for (let i = 0; i < 32; i++) raw[i] = parseInt(n.slice(2 * i, 2 * i + 2), 16);
      out.bytes(raw);
    } else {
      const b = utf8(n);
      out.uint(b.length + 1);
      out.bytes(b);
    }
  }
  writeBlocks(out, blocks);
  out.uint(segs.length);
  writeSegments(out, segs, names.length);
  out.block(utf8(text.join('')));
  return out.finish();
}

/** Runs in document order as segments (merging neighbours the tree kept apart) plus visible content. */
function buildSegments(core: SequenceCore<string>, remap: readonly number[], text: string[]): Seg[] {
  const segs: Seg[] = [];
  let prev: Run<string> | null = null;
  let cur: Seg | null = null;
  core.tree.forEach((run) => {
    if (!run.deleted) text.push(run.content);
    if (cur !== null && prev !== null && canMerge(prev, run)) cur.len += run.len;
    else {
      cur = {
        agent: remap[run.agent]!,
        counter: run.counter,
        len: run.len,
        deleted: run.deleted,
        olA: run.olA === NONE ? NONE : remap[run.olA]!,
        olC: run.olC,
        orA: run.orA === NONE ? NONE : remap[run.orA]!,
        orC: run.orC,
      };
      segs.push(cur);
    }
    prev = run;
  });
  return segs;
}

/** Decodes a snapshot into a core; throws `E_DECODE` for anything malformed. */
export function decodeTextState(bytes: Uint8Array): SequenceCore<string> {
  if (!(bytes instanceof Uint8Array)) fail('not bytes');
  const r = new ByteReader(bytes);
  const head = r.bytes(3);
  if (head[0] !== MAGIC0 || head[1] !== MAGIC1) fail('not a text snapshot');
  if (head[2] !== VERSION) fail(`unsupported version ${head[2]}`);
  const agentCount = r.uint();
  if (agentCount > r.end - r.pos) fail('too many agents');
  const names: string[] = [];
  for (let i = 0; i < agentCount; i++) {
    const tag = r.uint();
    let name = '';
    if (tag === 0) for (const b of r.bytes(32)) name += b.toString(16).padStart(2, '0');
    else name = utf8Field(r.bytes(tag - 1));
    if (name.length === 0 || names.includes(name)) fail('empty or duplicate agent');
    names.push(name);
  }
  const blocks = readBlocks(r, agentCount);
  const segCount = r.uint();
  if (segCount > r.end - r.pos) fail('too many segments');
  const segs = readSegments(r, segCount, blocks);
  const content = utf8Field(r.bytes(r.uint()));
  if (!r.done) fail('trailing bytes');
  return loadSegments(names, blocks, segs, content);
}

function utf8Field(b: Uint8Array): string {
  try {
    return fromUtf8(b);
  } catch {
    return fail('invalid UTF-8');
  }
}
