import { describe, expect, it } from 'vitest';
import { createReplica, generateIdentity, type Identity, type Replica, type ReplicaOptions } from '../index.ts';
import { expectWeftError } from '../testing/storage-conformance-helpers.ts';
import { Rng, seedsToRun, withSeed } from '../testing/random.ts';
import type { ChangeValidator } from '../replica/validator.ts';
import { compareCheckpoints, makeCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.ts';
import type { StreamEvent } from './event-stream.ts';
import { restartableStorage, type TestStorage } from './storage-kit.test-support.ts';

/** Rejects every change that writes to the `forbidden` collection. */
const validator: ChangeValidator = {
  schemaHash: null,
  checkLocal: () => null,
  check: (sc) =>
    sc.change.ops.some((op) => op.k !== 'genesis' && op.c === 'forbidden')
      ? { code: 'E_PERMISSION', message: 'forbidden' }
      : null,
};

let identity: Identity;
async function open(storage: TestStorage, extra: Partial<ReplicaOptions> = {}): Promise<Replica> {
  identity ??= await generateIdentity();
  const stored = (await storage.scan('meta')).length > 0;
  return createReplica({ identity, storage, validator, ...(stored ? {} : { create: { name: 'ev' } }), ...extra });
}

/** Takes up to `n` events (or until the stream ends). */
async function take(it: AsyncIterator<StreamEvent>, n: number): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done === true) break;
    out.push(r.value);
  }
  return out;
}

const summary = (es: readonly StreamEvent[]) =>
  es.map((e) => ('id' in e ? `${e.type}:${e.id}` : `${e.type}:${e.code}`) + (e.batchEnd ? '|' : ''));

describe('event stream', () => {
  it('delivers every effect kind in commit order with ordered checkpoints', async () => {
    const r = await open(restartableStorage());
    await r.change((tx) => {
      tx.insert('todos', { t: 'a' }, 'a');
      tx.insert('todos', { t: 'b' }, 'b');
    });
    await r.change((tx) => tx.update('todos', 'a', { t: 'a2' }));
    await r.change((tx) => tx.delete('todos', 'b'));
    await expectWeftError(
      r.change((tx) => tx.insert('forbidden', { x: 1 }, 'f')),
      'E_PERMISSION',
    );
    const es = await take(r.events({ live: false }), 100);
    expect(summary(es)).toEqual([
      'docCreated:a',
      'docCreated:b|',
      'docUpdated:a|',
      'docDeleted:b|',
      'changeRejected:E_PERMISSION|',
    ]);
    for (let i = 1; i < es.length; i++) expect(compareCheckpoints(es[i - 1]!.checkpoint, es[i]!.checkpoint)).toBe(-1);
    // Plain, ordered strings: a consumer can store them anywhere and compare them as strings.
    expect([...es.map((e) => e.checkpoint)].sort()).toEqual(es.map((e) => e.checkpoint));
    await r.close();
  });

  it('tails live commits after catching up, and break unsubscribes', async () => {
    const r = await open(restartableStorage());
    await r.change((tx) => tx.insert('todos', { n: 0 }, 'd0'));
    const seen: string[] = [];
    const consumer = (async () => {
      for await (const e of r.events()) {
        seen.push('id' in e ? e.id : e.type);
        if (seen.length === 3) break;
      }
    })();
    await r.change((tx) => tx.insert('todos', { n: 1 }, 'd1'));
    await r.change((tx) => tx.insert('todos', { n: 2 }, 'd2'));
    await consumer;
    expect(seen).toEqual(['d0', 'd1', 'd2']);
    await r.change((tx) => tx.insert('todos', { n: 3 }, 'd3'));
    await r.close();
  });

  it("starts after the latest effect with after: 'now', and ends streams on close", async () => {
    const r = await open(restartableStorage());
    await r.change((tx) => tx.insert('todos', { n: 0 }, 'old'));
    const it = r.events({ after: 'now' });
    const next = it.next();
    await r.change((tx) => tx.insert('todos', { n: 1 }, 'new'));
    expect(summary([(await next).value!])).toEqual(['docCreated:new|']);
    const pending = it.next();
    await r.close();
    expect((await pending).done).toBe(true);
    expect(() => r.events()).toThrow(/E_CLOSED/);
  });

  it('return() settles a pending next() at once', async () => {
    const r = await open(restartableStorage());
    const it = r.events({ after: 'now' });
    const pending = it.next();
    await it.return();
    expect((await pending).done).toBe(true);
    await r.close();
  });

  it('resumes exactly after a checkpoint across a restart', async () => {
    const storage = restartableStorage();
    let r = await open(storage);
    for (let i = 0; i < 5; i++) await r.change((tx) => tx.insert('todos', { i }, `d${i}`));
    const first = await take(r.events(), 2);
    await r.close();
    r = await open(storage);
    for (let i = 5; i < 7; i++) await r.change((tx) => tx.insert('todos', { i }, `d${i}`));
    const rest = await take(r.events({ after: first[1]!.checkpoint, live: false }), 100);
    expect(summary([...first, ...rest]).map((s) => s.replace('|', ''))).toEqual(
      Array.from({ length: 7 }, (_, i) => `docCreated:d${i}`),
    );
    await r.close();
  });

  it('persists effects in the batch write, and a failed write publishes nothing', async () => {
    const storage = restartableStorage();
    const r = await open(storage);
    await r.change((tx) => tx.insert('todos', { n: 1 }, 'a'));
    const last = storage.batches[storage.batches.length - 1]!;
    expect(last.some((w) => w.store === 'meta' && w.type === 'put' && w.key[0] === 0x65 && w.key[2] === 0x2f)).toBe(
      true,
    );
    const it = r.events({ after: 'now' });
    storage.failWrites(1);
    await expectWeftError(
      r.change((tx) => tx.insert('todos', { n: 2 }, 'lost')),
      'E_STORAGE',
    );
    await r.change((tx) => tx.insert('todos', { n: 3 }, 'kept'));
    const [e] = await take(it, 1);
    expect(summary([e!])).toEqual(['docCreated:kept|']);
    expect(parseCheckpoint(e!.checkpoint).position).toBe(2);
    await r.close();
  });

  it('drops whole old batches beyond retention and reports a stale checkpoint as E_NOT_FOUND', async () => {
    const storage = restartableStorage();
    const r = await open(storage, { events: { retainEffects: 3 } });
    for (let i = 0; i < 6; i++) await r.change((tx) => tx.insert('todos', { i }, `d${i}`));
    const all = await take(r.events({ live: false }), 100);
    expect(summary(all)).toEqual(['docCreated:d3|', 'docCreated:d4|', 'docCreated:d5|']);
    const epoch = parseCheckpoint(all[0]!.checkpoint).epoch;
    const stale = makeCheckpoint(epoch, 1);
    const err = await expectWeftError(r.events({ after: stale }).next(), 'E_NOT_FOUND');
    expect(err.details).toMatchObject({ reason: 'pruned', oldest: 4 });
    // The oldest retained one is still a valid resume point.
    expect(summary(await take(r.events({ after: makeCheckpoint(epoch, 3), live: false }), 9))).toEqual([
      'docCreated:d3|',
      'docCreated:d4|',
      'docCreated:d5|',
    ]);
    expect(() => r.events({ after: 'zz:000000000001' as Checkpoint })).toThrow(/E_NOT_FOUND/);
    expect(() => r.events({ after: makeCheckpoint(epoch, 99) })).toThrow(/E_NOT_FOUND/);
    expect(() => r.events({ after: 'nope' as Checkpoint })).toThrow(/E_INVALID_ARGUMENT/);
    await r.close();
  });

  it('keeps a batch larger than the retention whole', async () => {
    const r = await open(restartableStorage(), { events: { retainEffects: 2 } });
    await r.change((tx) => {
      for (let i = 0; i < 5; i++) tx.insert('todos', { i }, `d${i}`);
    });
    expect(await take(r.events({ live: false }), 99)).toHaveLength(5);
    await r.close();
  });

  it('a consumer that stops and resumes at random points, across random restarts, sees every effect once', async () => {
    for (const seed of seedsToRun(6)) {
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const storage = restartableStorage();
        let r = await open(storage, { events: { retainEffects: 10_000 } });
        const expected: string[] = [];
        const got: string[] = [];
        let cp: Checkpoint | undefined;
        for (let step = 0; step < 40; step++) {
          const n = 1 + rng.int(3);
          await r.change((tx) => {
            for (let k = 0; k < n; k++) tx.insert('todos', { step, k }, `s${step}k${k}`);
          });
          for (let k = 0; k < n; k++) expected.push(`s${step}k${k}`);
          if (rng.bool(0.3)) {
            const it = r.events(cp === undefined ? { live: false } : { after: cp, live: false });
            for (const e of await take(it, rng.int(6))) {
              got.push((e as { id: string }).id);
              cp = e.checkpoint;
            }
            await it.return();
          }
          if (rng.bool(0.15)) {
            await r.close();
            r = await open(storage, { events: { retainEffects: 10_000 } });
          }
        }
        for await (const e of r.events(cp === undefined ? { live: false } : { after: cp, live: false }))
          got.push((e as { id: string }).id);
        expect(got).toEqual(expected);
        await r.close();
      });
    }
  });
});
