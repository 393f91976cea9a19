/**
 * Text CRDT benchmark: Weft's sequence CRDT against Yjs on the editing traces in shared/traces.
 *
 *   npx tsx --expose-gc bench/text.ts [--trace NAME | --all] [--runs N]
 *
 * Per trace, in one process, medians of `--runs` (default 3) alternating Weft and Yjs runs:
 *  - apply: the whole trace as local edits. Yjs: one transaction per edit, no update listener
 *    (its fastest per-edit recipe). Weft: one op per edit, ids from 250 ms / 1,000-edit changes.
 *  - remote: a second replica applies the sender's per-edit updates. Yjs: the `updateV2` of every
 *    transaction through `Y.applyUpdateV2`. Weft: every op's canonical encoding, decoded and
 *    applied, so both sides pay for decoding.
 *  - bytes / load: the final state's snapshot (`Y.encodeStateAsUpdateV2` / `Text.encodeState`)
 *    and loading it into a fresh document, read back with `toString()` (after 20 warm-up loads
 *    each, so both loaders are compared at their steady JIT tier; median of at least 15 loads).
 *  - heap: growth of the used heap after building the document (exact with `--expose-gc`).
 *  - signed: edits folded by EditFolder into changes (250 ms of trace time or 1,000 edits), each
 *    change canonical-encoded, sha256-hashed, Ed25519-signed (WebCrypto, asynchronously); the
 *    receiver verifies, decodes and applies them in order. Includes the sender's local apply.
 * `signed_crypto_floor_ms` is the WebCrypto part alone (one sign + one verify per change), the
 * floor under `weft_signed_ms` whatever the CRDT does.
 * The last line printed is one JSON object with the figures; ratios are Weft / Yjs.
 */
import type { webcrypto } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import * as Y from 'yjs';
import { CHANGE_STRIDE, Text } from '../packages/engine/src/crdt/sequence/index.ts';
import { createReplica, decode, encode, generateIdentity } from '@weft/engine';

const TRACES = fileURLToPath(new URL('../../shared/traces/', import.meta.url));
const AUTHOR = 'ab'.repeat(32);
const BURST_MS = 250;
const BURST_EDITS = 1000;
const WARMUP_LOADS = 20;

interface Edit {
  readonly time: number;
  readonly pos: number;
  readonly del: number;
  readonly ins: string;
  /** Code points of `ins`. */
  readonly n: number;
  /** True when this edit opens a new 250 ms / 1,000-edit change. */
  readonly opens: boolean;
}

interface TraceFile {
  startContent: string;
  endContent: string;
  txns: { time: string; patches: [number, number, string][] }[];
}

function loadTrace(name: string): { end: string; edits: Edit[] } {
  const t = JSON.parse(gunzipSync(readFileSync(`${TRACES}${name}.json.gz`)).toString('utf8')) as TraceFile;
  if (t.startContent !== '') t.txns.unshift({ time: '', patches: [[0, 0, t.startContent]] });
  const edits: Edit[] = [];
  let start = -Infinity;
  let count = BURST_EDITS;
  for (const tx of t.txns) {
    const time = Date.parse(tx.time) || 0;
    let opens = time - start >= BURST_MS || count >= BURST_EDITS;
    if (opens) {
      start = time;
      count = 0;
    }
    for (const [pos, del, ins] of tx.patches) {
      if (count >= BURST_EDITS) {
        opens = true;
        count = 0;
      }
      edits.push({ time, pos, del, ins, n: [...ins].length, opens });
      opens = false;
      count++;
    }
  }
  return { end: t.endContent, edits };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function time(f: () => unknown): number {
  // No forced GC here: on V8 a forced full GC before a section slows both sides 10x (it seems to
  // discard optimized code), so timings rely on medians instead.
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

const gc = (globalThis as { gc?: () => void }).gc;
const LOAD_REPEATS = 15;
/** Keeps the measured document alive until its heap is read. */
let _sink: unknown;

function heapMb(build: () => unknown): number {
  _sink = null;
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  _sink = build();
  gc?.();
  gc?.();
  const after = process.memoryUsage().heapUsed;
  return (after - before) / 2 ** 20;
}

/** Local edits on a fresh Weft text; `record` collects each op's canonical bytes and counter. */
function weftLocal(edits: readonly Edit[], record?: { bytes: Uint8Array[]; counters: number[] }): Text {
  const text = new Text();
  let seq = 0;
  let k = 0;
  for (const e of edits) {
    if (e.opens) {
      seq++;
      k = 0;
    }
    if (e.del > 0) {
      const op = text.delete(e.pos, e.del, AUTHOR);
      if (record !== undefined) {
        record.bytes.push(encode(op));
        record.counters.push(0);
      }
    }
    if (e.n > 0) {
      const counter = seq * CHANGE_STRIDE + k;
      const op = text.insert(e.pos, e.ins, AUTHOR, counter);
      k += e.n;
      if (record !== undefined) {
        record.bytes.push(encode(op));
        record.counters.push(counter);
      }
    }
  }
  return text;
}

function yjsLocal(edits: readonly Edit[], updates?: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  if (updates !== undefined) doc.on('updateV2', (u: Uint8Array) => updates.push(u));
  for (const e of edits)
    doc.transact(() => {
      if (e.del > 0) text.delete(e.pos, e.del);
      if (e.ins !== '') text.insert(e.pos, e.ins);
    });
  return doc;
}

interface Keys {
  privateKey: webcrypto.CryptoKey;
  publicKey: webcrypto.CryptoKey;
}

/**
 * The signed path through the engine: the trace is typed into `replica.editText()` on a sender,
 * whose edit folder closes bursts by the trace's own timestamps (250 ms or 1,000 edits); each
 * burst is signed as one change (never on the typing path) and a receiver ingests it with full
 * verification as soon as it is committed, committing in order (`prepareIngest` /
 * `commitPrepared`, as a sync session does). Timed from the first keystroke until the receiver
 * holds the final text.
 */
async function weftSigned(edits: readonly Edit[], _keys: Keys, end: string): Promise<{ ms: number; changes: number }> {
  let now = 0;
  let timer: { at: number; cb: () => void } | null = null;
  const sender = await createReplica({
    identity: await generateIdentity(),
    create: { name: 'trace' },
    durability: 'relaxed',
    editing: {
      maxDelayMs: BURST_MS,
      maxOps: BURST_EDITS,
      timer: { set: (cb, ms) => (timer = { at: now + ms, cb }), clear: () => (timer = null) },
    },
  });
  const receiver = await createReplica({ identity: await generateIdentity(), db: sender.dbId, durability: 'relaxed' });
  await receiver.ingestMany(sender.changes().map((e) => e.sc.bytes));
  let changes = 0;
  let applied: Promise<unknown> = Promise.resolve();
  sender.onCommit((ev) => {
    const batch = ev.stored.map((h) => sender.getChange(h)!.sc.bytes);
    changes += batch.length;
    const prepared = receiver.prepareIngest(batch);
    applied = applied.then(() => receiver.commitPrepared(prepared));
  });
  const t0 = performance.now();
  const text = sender.editText('docs', 'd', 'body');
  for (const e of edits) {
    now = e.time;
    const due = timer as { at: number; cb: () => void } | null;
    if (due !== null && due.at <= now) due.cb();
    if (e.del > 0) text.delete(e.pos, e.del);
    if (e.ins !== '') text.insert(e.pos, e.ins);
  }
  await sender.flush();
  await applied;
  const ms = performance.now() - t0;
  if (receiver.get('docs', 'd')?.body !== end || text.toString() !== end) throw new Error('signed replay diverged');
  return { ms, changes };
}

/** Just the signatures: one sign and one verify per change, overlapped like in {@link weftSigned}. */
async function cryptoFloor(changes: number, keys: Keys): Promise<number> {
  const subtle = globalThis.crypto.subtle;
  const msg = new Uint8Array(32);
  const t0 = performance.now();
  const all: Promise<boolean>[] = [];
  for (let i = 0; i < changes; i++)
    all.push(
      subtle.sign('Ed25519', keys.privateKey, msg).then((s) => subtle.verify('Ed25519', keys.publicKey, s, msg)),
    );
  await Promise.all(all);
  return performance.now() - t0;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;
const r3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Runs the benchmark on one trace and returns its JSON figures. */
async function benchTrace(name: string, runs: number, keys: Keys): Promise<Record<string, unknown>> {
  const { end, edits } = loadTrace(name);
  const rec = { bytes: [] as Uint8Array[], counters: [] as number[] };
  const weftDoc = weftLocal(edits, rec);
  const updates: Uint8Array[] = [];
  const yDoc = yjsLocal(edits, updates);
  if (weftDoc.toString() !== end || yDoc.getText('t').toString() !== end) throw new Error(`${name}: replay diverged`);
  const weftSnap = weftDoc.encodeState();
  const ySnap = Y.encodeStateAsUpdateV2(yDoc);
  // Warm both loaders up alike (JIT tiers), so load compares steady state with steady state.
  for (let i = 0; i < WARMUP_LOADS; i++) {
    Text.decodeState(weftSnap).toString();
    const d = new Y.Doc();
    Y.applyUpdateV2(d, ySnap);
    d.getText('t').toString();
  }
  const m: Record<string, number[]> = {};
  const add = (k: string, v: number): void => void (m[k] ??= []).push(v);
  for (let i = 0; i < runs; i++) {
    add(
      'weft_apply',
      time(() => weftLocal(edits)),
    );
    add(
      'yjs_apply',
      time(() => yjsLocal(edits)),
    );
    add(
      'weft_remote',
      time(() => {
        const t = new Text();
        for (let j = 0; j < rec.bytes.length; j++) t.apply(decode(rec.bytes[j]!), AUTHOR, rec.counters[j]!);
      }),
    );
    add(
      'yjs_remote',
      time(() => {
        const d = new Y.Doc();
        for (const u of updates) Y.applyUpdateV2(d, u);
      }),
    );
  }
  for (let i = 0; i < Math.max(runs, LOAD_REPEATS); i++) {
    add(
      'weft_load',
      time(() => Text.decodeState(weftSnap).toString()),
    );
    add(
      'yjs_load',
      time(() => {
        const d = new Y.Doc();
        Y.applyUpdateV2(d, ySnap);
        d.getText('t').toString();
      }),
    );
  }
  const signed: number[] = [];
  let changes = 0;
  for (let i = 0; i < runs; i++) {
    const s = await weftSigned(edits, keys, end);
    signed.push(s.ms);
    changes = s.changes;
  }
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) floor.push(await cryptoFloor(changes, keys));
  const weftHeap = heapMb(() => weftLocal(edits));
  const yjsHeap = heapMb(() => yjsLocal(edits));
  _sink = null;
  const med = (k: string): number => median(m[k]!);
  return {
    bench: 'text',
    trace: name,
    edits: edits.length,
    weft_apply_ms: r1(med('weft_apply')),
    yjs_apply_ms: r1(med('yjs_apply')),
    apply_ratio: r3(med('weft_apply') / med('yjs_apply')),
    weft_remote_ms: r1(med('weft_remote')),
    yjs_remote_ms: r1(med('yjs_remote')),
    remote_ratio: r3(med('weft_remote') / med('yjs_remote')),
    weft_bytes: weftSnap.length,
    yjs_bytes: ySnap.length,
    size_ratio: r3(weftSnap.length / ySnap.length),
    weft_load_ms: r1(med('weft_load')),
    yjs_load_ms: r1(med('yjs_load')),
    load_ratio: r3(med('weft_load') / med('yjs_load')),
    weft_heap_mb: r1(weftHeap),
    yjs_heap_mb: r1(yjsHeap),
    weft_signed_ms: r1(median(signed)),
    changes,
    signed_crypto_floor_ms: r1(median(floor)),
  };
}

function table(rows: Record<string, unknown>[]): string {
  const cols: [string, string][] = [
    ['trace', 'trace'],
    ['edits', 'edits'],
    ['apply ms W/Y', 'apply'],
    ['remote ms W/Y', 'remote'],
    ['bytes W/Y', 'bytes'],
    ['load ms W/Y', 'load'],
    ['heap MB W/Y', 'heap'],
    ['signed ms', 'signed'],
    ['changes', 'changes'],
  ];
  const cell = (r: Record<string, unknown>, k: string): string => {
    const pair = (w: string, y: string, ratio?: string) =>
      `${String(r[w])} / ${String(r[y])}${ratio === undefined ? '' : ` (${String(r[ratio])})`}`;
    if (k === 'apply') return pair('weft_apply_ms', 'yjs_apply_ms', 'apply_ratio');
    if (k === 'remote') return pair('weft_remote_ms', 'yjs_remote_ms', 'remote_ratio');
    if (k === 'bytes') return pair('weft_bytes', 'yjs_bytes', 'size_ratio');
    if (k === 'load') return pair('weft_load_ms', 'yjs_load_ms', 'load_ratio');
    if (k === 'heap') return pair('weft_heap_mb', 'yjs_heap_mb');
    if (k === 'signed')
      return `${String(r['weft_signed_ms'])} (${r3(Number(r['weft_signed_ms']) / Number(r['yjs_apply_ms']))}x Yjs apply)`;
    return String(r[k]);
  };
  const grid = [cols.map((c) => c[0]), ...rows.map((r) => cols.map((c) => cell(r, c[1])))];
  const widths = cols.map((_, i) => Math.max(...grid.map((row) => row[i]!.length)));
  return grid.map((row) => row.map((v, i) => v.padEnd(widths[i]!)).join('  ')).join('\n');
}

/** Entry point for `npm run bench -- text`: prints a table and returns the JSON figures. */
export async function run(args: string[]): Promise<Record<string, unknown>> {
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(flag('--runs') ?? 3);
  const names = args.includes('--all')
    ? readdirSync(TRACES)
        .filter((f) => f.endsWith('.json.gz'))
        .map((f) => f.slice(0, -'.json.gz'.length))
        .sort()
    : [flag('--trace') ?? 'automerge-paper'];
  const keys = (await globalThis.crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as Keys;
  if (gc === undefined) console.log('note: run with --expose-gc for exact heap figures');
  const rows: Record<string, unknown>[] = [];
  for (const name of names) {
    const row = await benchTrace(name, runs, keys);
    rows.push(row);
    if (names.length > 1) console.log(JSON.stringify(row));
  }
  console.log(table(rows));
  return names.length === 1 ? rows[0]! : { bench: 'text', runs, results: rows };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const out = await run(process.argv.slice(2));
  console.log(JSON.stringify(out));
}
