/**
 * `bulk` (browser side): insert N documents of 8 fields in one mutation, persisted to
 * IndexedDB, three ways in the same page: a Weft replica over the IndexedDB adapter (signing,
 * change log, materialized docs, effect log, one transaction), Dexie `bulkPut`, and raw `idb`
 * puts in one transaction. All three with durability `strict`, the guarantee Weft gives every
 * acknowledged write; the `relaxed` figures are reported too. Each timing is the median of
 * `runs` runs, each on a fresh database.
 */
import { createMemoryStorage, createReplica, generateIdentity, type Identity, type StorageAdapter } from '@weft/engine';
import { openIndexedDbStorage, type IndexedDbStorage } from '@weft/worker';
import Dexie, { type Table } from 'dexie';
import { openDB } from 'idb';
import { deleteDatabase, freshName, median } from '../lib/idb-util.ts';

type Durability = 'strict' | 'relaxed';
interface Row {
  readonly id: string;
  readonly [field: string]: string | number | boolean;
}

/** N rows of 8 fields: 4 short strings, 2 numbers, a boolean, a longer string. */
function makeRows(n: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++)
    rows.push({
      id: `doc${i.toString().padStart(6, '0')}`,
      title: `Item number ${i}`,
      owner: `user-${i % 97}`,
      status: i % 3 === 0 ? 'open' : 'closed',
      tag: `t${i % 13}`,
      order: i,
      score: (i * 7919) % 1000,
      done: i % 2 === 0,
      note: `note ${i} `.repeat(4),
    });
  return rows;
}

const fieldsOf = ({ id: _id, ...fields }: Row) => fields;

/** Where Weft's time goes in the last timed mutation. */
const last = { writeMs: 0, drainedMs: 0, ops: 0, bytes: 0 };

/** Times the storage write (the replica makes one per mutation). */
function timed(inner: StorageAdapter): StorageAdapter {
  return {
    ...inner,
    async write(ops, options) {
      const t0 = performance.now();
      await inner.write(ops, options);
      last.writeMs = performance.now() - t0;
      last.ops = ops.length;
      last.bytes = ops.reduce((n, op) => n + (op.type === 'put' ? op.key.length + op.value.length : 0), 0);
    },
  };
}

async function weft(identity: Identity, rows: readonly Row[], durability: Durability, idb: boolean): Promise<number> {
  const name = freshName('weft-bulk');
  const backend: StorageAdapter | IndexedDbStorage = idb ? await openIndexedDbStorage(name) : createMemoryStorage();
  const replica = await createReplica({
    identity,
    storage: timed(backend),
    durability,
    create: { name: 'bulk' },
    // 10,000 docs × 8 fields is 80,000 ops and ~5 MB signed: above the default caps.
    limits: { maxOps: 1_000_000, maxBytes: 256 * 1024 * 1024 },
  });
  const t0 = performance.now();
  await replica.change((tx) => {
    for (const row of rows) tx.insert('items', fieldsOf(row), row.id);
  });
  const ms = performance.now() - t0;
  // Until the write-behind journal has copied everything into the docs and changes stores.
  if (idb) await (backend as IndexedDbStorage).drained();
  last.drainedMs = performance.now() - t0;
  if (replica.list('items').length !== rows.length) throw new Error('weft lost documents');
  await replica.close();
  if (idb) await deleteDatabase(name);
  return ms;
}

async function dexie(rows: readonly Row[], durability: Durability): Promise<number> {
  const name = freshName('dexie-bulk');
  const db = new Dexie(name, { chromeTransactionDurability: durability });
  db.version(1).stores({ items: 'id' });
  await db.open();
  const table = db.table('items') as Table<Row, string>;
  const t0 = performance.now();
  await table.bulkPut(rows as Row[]);
  const ms = performance.now() - t0;
  if ((await table.count()) !== rows.length) throw new Error('dexie lost rows');
  await db.delete();
  return ms;
}

async function raw(rows: readonly Row[], durability: Durability): Promise<number> {
  const name = freshName('raw-bulk');
  const db = await openDB(name, 1, { upgrade: (d) => d.createObjectStore('items', { keyPath: 'id' }) });
  const t0 = performance.now();
  const tx = db.transaction('items', 'readwrite', { durability });
  for (const row of rows) void tx.store.put(row);
  await tx.done;
  const ms = performance.now() - t0;
  db.close();
  await deleteDatabase(name);
  return ms;
}

/** Runs the comparison; `args.docs` (default 10,000) and `args.runs` (default 3). */
export async function run(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const docs = Number(args.docs ?? 10_000);
  const runs = Number(args.runs ?? 3);
  const rows = makeRows(docs);
  const identity = await generateIdentity();
  // One untimed round first: JIT warm-up and IndexedDB's first-open costs.
  await weft(identity, rows.slice(0, 500), 'strict', true);
  await dexie(rows.slice(0, 500), 'strict');
  await raw(rows.slice(0, 500), 'strict');
  const t: Record<string, number[]> = {
    weft: [],
    weftWrite: [],
    weftDrained: [],
    dexie: [],
    raw: [],
    weftRelaxed: [],
    dexieRelaxed: [],
    rawRelaxed: [],
    weftMem: [],
  };
  let writeShape = { ops: 0, bytes: 0 };
  for (let r = 0; r < runs; r++) {
    // Interleaved, so machine load drifts over all three alike.
    t.weft!.push(await weft(identity, rows, 'strict', true));
    t.weftWrite!.push(last.writeMs);
    t.weftDrained!.push(last.drainedMs);
    writeShape = { ops: last.ops, bytes: last.bytes };
    t.dexie!.push(await dexie(rows, 'strict'));
    t.raw!.push(await raw(rows, 'strict'));
    t.weftRelaxed!.push(await weft(identity, rows, 'relaxed', true));
    t.dexieRelaxed!.push(await dexie(rows, 'relaxed'));
    t.rawRelaxed!.push(await raw(rows, 'relaxed'));
    t.weftMem!.push(await weft(identity, rows, 'strict', false));
    console.log(`run ${r + 1}/${runs}: weft ${t.weft!.at(-1)!.toFixed(0)} ms, dexie ${t.dexie!.at(-1)!.toFixed(0)} ms`);
  }
  const m = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, median(v)])) as Record<string, number>;
  return {
    bench: 'bulk',
    docs,
    weft_ms: Math.round(m.weft!),
    dexie_ms: Math.round(m.dexie!),
    raw_ms: Math.round(m.raw!),
    ratio_to_dexie: Number((m.weft! / m.dexie!).toFixed(2)),
    ratio_to_raw: Number((m.weft! / m.raw!).toFixed(2)),
    weft_relaxed_ms: Math.round(m.weftRelaxed!),
    dexie_relaxed_ms: Math.round(m.dexieRelaxed!),
    raw_relaxed_ms: Math.round(m.rawRelaxed!),
    weft_memory_storage_ms: Math.round(m.weftMem!),
    weft_storage_write_ms: Math.round(m.weftWrite!),
    weft_until_drained_ms: Math.round(m.weftDrained!),
    weft_write_ops: writeShape.ops,
    weft_write_bytes: writeShape.bytes,
    durability: 'strict',
    runs,
  };
}
