/**
 * Incremental persistence of text and list fields (replica-store.ts): each burst appends its ops
 * to the field's log and a snapshot is rewritten only when the log outgrows it. Reopening,
 * reloading, failed writes, deletes and rebuilds must all give back exactly the live state, and
 * the bytes a burst writes must not grow with the document.
 */
import { describe, expect, it } from 'vitest';
import { createReplica, type Replica } from './replica.ts';
import { generateIdentity } from '../crypto/identity.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import type { FolderTimer } from '../crdt/sequence/edit-folder.ts';
import { Rng } from '../testing/random.ts';
import { WeftError } from '../errors.ts';

/** A timer the test fires by hand, so bursts close exactly when the test says. */
function manualTimer(): FolderTimer & { fire(): void } {
  let pending: (() => void) | undefined;
  return {
    set: (cb) => {
      pending = cb;
      return 1;
    },
    clear: () => {
      pending = undefined;
    },
    fire: () => {
      const cb = pending;
      pending = undefined;
      cb?.();
    },
  };
}

/** Memory storage that records the docs-store bytes of every write and can fail the next one. */
function recordingStorage(): StorageAdapter & { docBytes: number[]; failNext: boolean } {
  const inner = createMemoryStorage();
  const out = {
    name: 'recording',
    docBytes: [] as number[],
    failNext: false,
    get: inner.get.bind(inner),
    getMany: inner.getMany.bind(inner),
    scan: inner.scan.bind(inner),
    close: inner.close.bind(inner),
    write: async (ops: readonly WriteOp[], options?: Parameters<StorageAdapter['write']>[1]) => {
      if (out.failNext) {
        out.failNext = false;
        throw new WeftError('E_STORAGE', 'injected write failure');
      }
      let n = 0;
      for (const op of ops) if (op.type === 'put' && op.store === 'docs') n += op.key.length + op.value.length;
      out.docBytes.push(n);
      await inner.write(ops, options);
    },
  };
  return out;
}

/** Types `n` random edits into the field, a burst of `perBurst` edits at a time. */
async function typeBursts(
  r: Replica,
  timer: ReturnType<typeof manualTimer>,
  rng: Rng,
  bursts: number,
  perBurst: number,
): Promise<void> {
  const body = r.editText('notes', 'n', 'body');
  for (let b = 0; b < bursts; b++) {
    for (let i = 0; i < perBurst; i++) {
      if (body.length > 0 && rng.bool(0.25)) {
        const at = rng.int(body.length);
        body.delete(at, Math.min(1 + rng.int(3), body.length - at));
      } else body.insert(rng.int(body.length + 1), rng.bool(0.1) ? 'héllo 😀 ' : 'abc'[rng.int(3)]!);
    }
    timer.fire();
    await r.flush();
  }
}

/** Log entries (keys with a second 0x00 byte) in the docs store. */
async function logEntries(storage: StorageAdapter): Promise<number> {
  let n = 0;
  for (const { key } of await storage.scan('docs')) {
    const sep = key.indexOf(0);
    if (sep >= 0 && key.indexOf(0, sep + 1) >= 0) n++;
  }
  return n;
}

describe('incremental persistence of sequence fields', () => {
  it('reopening after many bursts gives the same text and state hash, on sender and receiver', async () => {
    const storage = recordingStorage();
    const recvStorage = createMemoryStorage();
    const timer = manualTimer();
    const identity = await generateIdentity();
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId, storage: recvStorage });
    await b.ingestMany(a.changes().map((e) => e.sc.bytes));
    let applied: Promise<unknown> = Promise.resolve();
    a.onCommit((ev) => {
      const prepared = b.prepareIngest(ev.stored.map((h) => a.getChange(h)!.sc.bytes));
      applied = applied.then(() => b.commitPrepared(prepared));
    });
    const rng = new Rng('seq-persist-reopen');
    // Enough bursts that logs outgrow their snapshot and are folded into a new one, more than once.
    await a.change((tx) => tx.text('notes', 'n', 'body').insert(0, 'x'.repeat(3000)));
    await typeBursts(a, timer, rng, 400, 20);
    await applied;
    // Logs were folded into fresh snapshots along the way: far fewer entries than bursts.
    expect(await logEntries(storage)).toBeGreaterThan(0);
    expect(await logEntries(storage)).toBeLessThan(100);
    expect(await logEntries(recvStorage)).toBeLessThan(100);
    const text = a.get('notes', 'n')!.body;
    expect(b.get('notes', 'n')!.body).toBe(text);
    for (const [r, s] of [
      [a, storage],
      [b, recvStorage],
    ] as const) {
      const hash = r.stateHash();
      await r.reload();
      expect(r.get('notes', 'n')!.body).toBe(text);
      expect(r.stateHash()).toBe(hash);
      const again = await createReplica({ identity: await generateIdentity(), storage: s });
      expect(again.get('notes', 'n')!.body).toBe(text);
      expect(again.stateHash()).toBe(hash);
    }
    // A reopened replica keeps appending where the stored log left off.
    const reopened = await createReplica({ identity, storage, editing: { timer } });
    await typeBursts(reopened, timer, rng, 50, 10);
    const later = await createReplica({ identity: await generateIdentity(), storage });
    expect(later.get('notes', 'n')).toEqual(reopened.get('notes', 'n'));
    expect(later.stateHash()).toBe(reopened.stateHash());
  });

  it('writes O(burst) bytes per burst, not O(document)', async () => {
    const storage = recordingStorage();
    const timer = manualTimer();
    const a = await createReplica({
      identity: await generateIdentity(),
      create: { name: 'p' },
      storage,
      editing: { timer },
    });
    const doc = 'lorem ipsum dolor sit amet '.repeat(4000); // ~108 kB
    await a.change((tx) => tx.text('notes', 'n', 'body').insert(0, doc));
    const snapshotWrite = storage.docBytes[storage.docBytes.length - 1]!;
    expect(snapshotWrite).toBeGreaterThan(100_000);
    storage.docBytes.length = 0;
    await typeBursts(a, timer, new Rng('seq-persist-bytes'), 300, 5);
    const per = [...storage.docBytes].sort((x, y) => x - y);
    expect(per.length).toBe(300);
    // Every burst but the rare snapshot rewrite writes a header and one small log entry.
    expect(per[Math.floor(per.length * 0.9)]!).toBeLessThan(1000);
    // Amortized: far below one snapshot per burst (the old layout wrote 300 × 108 kB).
    const total = per.reduce((x, y) => x + y, 0);
    expect(total).toBeLessThan(2 * snapshotWrite + 300 * 1000);
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')).toEqual(a.get('notes', 'n'));
  });

  it('a failed burst write leaves memory and storage consistent, and later bursts persist', async () => {
    const storage = recordingStorage();
    const timer = manualTimer();
    const identity = await generateIdentity();
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    const rng = new Rng('seq-persist-crash');
    await typeBursts(a, timer, rng, 30, 10);
    const stored = a.get('notes', 'n')!.body;
    const hash = a.stateHash();
    // The next burst's write fails: the replica reloads from storage, dropping the burst.
    const body = a.editText('notes', 'n', 'body');
    body.insert(0, 'lost edits ');
    storage.failNext = true;
    await expect(a.flush()).rejects.toMatchObject({ code: 'E_STORAGE' });
    expect(a.get('notes', 'n')!.body).toBe(stored);
    expect(a.stateHash()).toBe(hash);
    expect(a.editText('notes', 'n', 'body').toString()).toBe(stored);
    // The log index the failed write used is free again: later bursts append and reopen cleanly.
    await typeBursts(a, timer, rng, 30, 10);
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')).toEqual(a.get('notes', 'n'));
    expect(reopened.stateHash()).toBe(a.stateHash());
    expect(reopened.get('notes', 'n')!.body).not.toContain('lost edits');
  });

  it('a doc delete and a rebuild rewrite the doc whole and drop its logs', async () => {
    const storage = recordingStorage();
    const timer = manualTimer();
    const identity = await generateIdentity();
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    const rng = new Rng('seq-persist-delete');
    await typeBursts(a, timer, rng, 20, 10);
    expect(await logEntries(storage)).toBeGreaterThan(0);
    await a.change((tx) => tx.delete('notes', 'n'));
    expect(await logEntries(storage)).toBe(0);
    expect(a.get('notes', 'n')).toBeUndefined();
    // Typing again after the delete starts a fresh field, snapshot first, then its log.
    await typeBursts(a, timer, rng, 20, 10);
    expect(await logEntries(storage)).toBeGreaterThan(0);
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')).toEqual(a.get('notes', 'n'));
    expect(reopened.stateHash()).toBe(a.stateHash());
  });

  it('list fields persist through their log too', async () => {
    const storage = createMemoryStorage();
    const timer = manualTimer();
    const a = await createReplica({
      identity: await generateIdentity(),
      create: { name: 'p' },
      storage,
      editing: { timer },
    });
    const list = a.editList<string | number>('notes', 'n', 'items');
    const rng = new Rng('seq-persist-list');
    for (let b = 0; b < 50; b++) {
      for (let i = 0; i < 5; i++) {
        const r = rng.int(10);
        if (list.length > 1 && r < 2) list.move(rng.int(list.length), rng.int(list.length));
        else if (list.length > 0 && r < 4) list.delete(rng.int(list.length));
        else list.insert(rng.int(list.length + 1), rng.bool() ? b : `item ${b}.${i}`);
      }
      timer.fire();
      await a.flush();
    }
    expect(await logEntries(storage)).toBeGreaterThan(0);
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')).toEqual(a.get('notes', 'n'));
    expect(reopened.stateHash()).toBe(a.stateHash());
  });

  it('typing while a burst is being signed takes a fresh seq and is never stored unsigned', async () => {
    const storage = createMemoryStorage();
    const timer = manualTimer();
    const base = await generateIdentity();
    // Signatures wait for the test to open a gate, so typing goes on while a burst is signed.
    let open: () => void = () => undefined;
    let gate = new Promise<void>((r) => (open = r));
    let signing: () => void = () => undefined;
    const started = new Promise<void>((r) => (signing = r));
    const identity = {
      ...base,
      sign: async (m: Uint8Array) => {
        signing();
        await gate;
        return base.sign(m);
      },
    };
    open();
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    gate = new Promise<void>((r) => (open = r));
    const body = a.editText('notes', 'n', 'body');
    body.insert(0, 'one ');
    timer.fire();
    body.insert(4, 'two ');
    timer.fire();
    await started; // the scheduled commit took both bursts and waits on their signatures
    body.insert(8, 'three'); // opens a third burst while the first two are in flight
    const committed = new Promise<void>((r) =>
      a.onCommit(() => {
        gate = new Promise<void>((g) => (open = g)); // hold the third burst's signature
        r();
      }),
    );
    open();
    await committed;
    // The first batch was written while 'three' was live but unsigned: storage must not hold it.
    const midway = await createReplica({ identity: await generateIdentity(), storage });
    expect(midway.get('notes', 'n')?.body).toBe('one two ');
    open();
    await a.flush();
    const mine = a.changes().filter((e) => e.sc.change.author === a.author);
    expect(mine.map((e) => e.sc.change.seq)).toEqual([1, 2, 3, 4]);
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')?.body).toBe('one two three');
    expect(reopened.stateHash()).toBe(a.stateHash());
  });

  it('bursts taken for a later batch count as unsigned while an earlier batch is written', async () => {
    const storage = createMemoryStorage();
    const timer = manualTimer();
    const base = await generateIdentity();
    let open: () => void = () => undefined;
    let gate = Promise.resolve();
    const identity = {
      ...base,
      sign: async (m: Uint8Array) => {
        await gate;
        return base.sign(m);
      },
    };
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    const body = a.editText('notes', 'n', 'body');
    // 1,001 bursts are committed in two batches (1,000 + 1); hold the second batch's signature.
    for (let i = 0; i < 1001; i++) {
      body.insert(body.length, i === 1000 ? 'Z' : 'a');
      timer.fire();
    }
    const committed = new Promise<void>((r) =>
      a.onCommit(() => {
        gate = new Promise<void>((g) => (open = g));
        r();
      }),
    );
    const flushed = a.flush();
    await committed;
    const midway = await createReplica({ identity: await generateIdentity(), storage });
    expect(midway.get('notes', 'n')?.body).toBe('a'.repeat(1000));
    open();
    await flushed;
    const reopened = await createReplica({ identity: await generateIdentity(), storage });
    expect(reopened.get('notes', 'n')?.body).toBe(`${'a'.repeat(1000)}Z`);
    expect(reopened.stateHash()).toBe(a.stateHash());
  });

  it('refuses a log entry whose snapshot is missing', async () => {
    const storage = createMemoryStorage();
    const timer = manualTimer();
    const identity = await generateIdentity();
    const a = await createReplica({ identity, create: { name: 'p' }, storage, editing: { timer } });
    await typeBursts(a, timer, new Rng('seq-persist-orphan'), 5, 5);
    const snap = (await storage.scan('docs')).find(({ key }) => {
      const sep = key.indexOf(0);
      return sep >= 0 && key.indexOf(0, sep + 1) < 0;
    })!;
    await storage.write([{ type: 'delete', store: 'docs', key: snap.key }]);
    await expect(createReplica({ identity, storage })).rejects.toMatchObject({ code: 'E_STORAGE' });
  });
});
