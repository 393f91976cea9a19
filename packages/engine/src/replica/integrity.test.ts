/**
 * Integrity: forged, tampered, misaddressed, malformed, oversized, out-of-chain and
 * equivocating changes are refused with their own code, and leave the state as it was.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  createReplica,
  decode,
  encode,
  encodeChangeBody,
  generateIdentity,
  isWeftError,
  parseChange,
  signChange,
  decodeMessage,
  type Change,
  type Identity,
  type Replica,
  type ChangeHash,
  type DocOp,
} from '../index.ts';
import { hashWithDomain } from '../crypto/sha256.ts';
import { CHANGE_DOMAIN, encodeWire } from '../change/change.ts';

async function setup(): Promise<{ owner: Identity; mallory: Identity; a: Replica; b: Replica }> {
  const owner = await generateIdentity();
  const mallory = await generateIdentity();
  const a = await createReplica({ identity: owner, create: { name: 'integrity' } });
  await a.change((tx) => tx.insert('todos', { title: 'hello' }, 'doc1'));
  const b = await createReplica({ identity: mallory, db: a.dbId });
  await b.ingestMany(a.changes().map((e) => e.sc.bytes));
  expect(b.stateHash()).toBe(a.stateHash());
  return { owner, mallory, a, b };
}

function handMade(r: Replica, author: Identity, over: Partial<Change> & { ops?: readonly DocOp[] }): Change {
  const seq = over.seq ?? r.versionVector()[author.author]! + 1;
  const prev = r.internals.log.hashAt(author.author, seq - 1);
  return {
    v: 1,
    db: r.dbId,
    author: author.author,
    seq,
    deps: over.deps ?? [...new Set([...r.heads(), ...(prev ? [prev] : [])])].sort(),
    hlc: { ms: Date.now(), c: 0 },
    schema: null,
    ops: [{ k: 'set', c: 'todos', d: 'doc1', p: ['title'], v: 'changed' }],
    ...over,
  } as unknown as Change;
}

/** Ingest must reject with `code` and leave state, heads and change set untouched. */
async function expectRefused(r: Replica, bytes: Uint8Array, code: string, hash?: ChangeHash): Promise<void> {
  const before = { state: r.stateHash(), heads: r.heads(), n: r.changes().length };
  await expect(r.ingest(bytes, hash)).rejects.toMatchObject({ code });
  expect({ state: r.stateHash(), heads: r.heads(), n: r.changes().length }).toEqual(before);
}

describe('integrity', () => {
  it('rejects a forged signature (signed by another key) with E_SIGNATURE', async () => {
    const { owner, mallory, b } = await setup();
    const honest = await signChange(owner, handMade(b, owner, {}));
    const forged = await mallory.sign(hashWithDomain(CHANGE_DOMAIN, honest.body));
    await expectRefused(b, encodeWire(honest.body, forged), 'E_SIGNATURE');
  });

  it('rejects a tampered op with E_SIGNATURE', async () => {
    const { owner, b } = await setup();
    const sc = await signChange(owner, handMade(b, owner, {}));
    const tamperedBody = encodeChangeBody({
      ...sc.change,
      ops: [{ k: 'set', c: 'todos', d: 'doc1', p: ['title'], v: 'evil' } as unknown as DocOp],
    });
    await expectRefused(b, encodeWire(tamperedBody, sc.sig), 'E_SIGNATURE');
  });

  it('rejects bytes that do not hash to the expected hash with E_HASH', async () => {
    const { owner, b } = await setup();
    const sc = await signChange(owner, handMade(b, owner, {}));
    const other = await signChange(owner, handMade(b, owner, { hlc: { ms: 1, c: 1 } }));
    await expectRefused(b, sc.bytes, 'E_HASH', other.hash);
  });

  it('rejects a change replayed into another database with E_WRONG_DB', async () => {
    const { owner, b } = await setup();
    const elsewhere = await createReplica({ identity: owner, create: { name: 'other' } });
    await elsewhere.change((tx) => tx.insert('todos', { title: 'x' }, 'doc1'));
    const [, second] = elsewhere.changes();
    await expectRefused(b, second!.sc.bytes, 'E_WRONG_DB');
    const genesis = elsewhere.changes()[0]!;
    await expectRefused(b, genesis.sc.bytes, 'E_WRONG_DB');
  });

  it('rejects non-canonical bytes with E_DECODE even when validly signed', async () => {
    const { owner, b } = await setup();
    const change = handMade(b, owner, {});
    const body = encodeChangeBody(change);
    // Re-encode `seq` non-minimally: key "s" (0x61 0x73) followed by a small int.
    const at = body.findIndex((x, i) => x === 0x61 && body[i + 1] === 0x73 && body[i + 2]! < 24);
    expect(at).toBeGreaterThan(0);
    const nonCanonical = new Uint8Array([...body.slice(0, at + 2), 0x18, ...body.slice(at + 2)]);
    const sig = await owner.sign(hashWithDomain(CHANGE_DOMAIN, nonCanonical));
    await expectRefused(b, encodeWire(nonCanonical, sig), 'E_DECODE');
    // Unsorted deps are non-canonical too.
    const twoDeps = handMade(b, owner, {});
    const unsorted = { ...twoDeps, deps: [...b.heads(), 'f'.repeat(64) as ChangeHash].sort().reverse() };
    const sc2 = await signChange(owner, unsorted);
    await expectRefused(b, sc2.bytes, 'E_DECODE');
  });

  it('rejects truncated bytes with E_DECODE at every cut point', async () => {
    const { owner, b } = await setup();
    const sc = await signChange(owner, handMade(b, owner, {}));
    for (let cut = 0; cut < sc.bytes.length; cut += 7) await expectRefused(b, sc.bytes.slice(0, cut), 'E_DECODE');
  });

  it('rejects an oversized change with E_TOO_LARGE', async () => {
    const { owner, a } = await setup();
    const small = await createReplica({ identity: owner, db: a.dbId, limits: { maxBytes: 2048, maxOps: 10 } });
    await small.ingestMany(a.changes().map((e) => e.sc.bytes));
    const big = await signChange(
      owner,
      handMade(small, owner, {
        ops: [{ k: 'set', c: 't', d: 'x', p: ['v'], v: 'x'.repeat(4000) } as unknown as DocOp],
      }),
    );
    await expectRefused(small, big.bytes, 'E_TOO_LARGE');
    const ops = Array.from(
      { length: 11 },
      (_, i) => ({ k: 'set', c: 't', d: 'x', p: ['v'], v: i }) as unknown as DocOp,
    );
    const many = await signChange(owner, handMade(small, owner, { ops }));
    await expectRefused(small, many.bytes, 'E_TOO_LARGE');
  });

  it('rejects a seq gap with E_SEQ', async () => {
    const { owner, b } = await setup();
    const seq = b.versionVector()[owner.author]!;
    const gap = await signChange(owner, handMade(b, owner, { seq: seq + 2 }));
    await expectRefused(b, gap.bytes, 'E_SEQ');
    // A change that skips its own predecessor while depending on others is a gap too.
    const noPrev = await signChange(owner, handMade(b, owner, { deps: [] }));
    await expectRefused(b, noPrev.bytes, 'E_SEQ');
  });

  it('detects equivocation, keeps both forks as proof, and excludes them by one rule', async () => {
    const { owner, b } = await setup();
    const forkA = await signChange(owner, handMade(b, owner, {}));
    const forkB = await signChange(
      owner,
      handMade(b, owner, { ops: [{ k: 'set', c: 'todos', d: 'doc1', p: ['title'], v: 'other' } as unknown as DocOp] }),
    );
    const reference = b.stateHash(); // neither fork applied
    await b.ingest(forkA.bytes);
    expect(b.get('todos', 'doc1')?.title).toBe('changed');
    await expect(b.ingest(forkB.bytes)).rejects.toMatchObject({ code: 'E_EQUIVOCATION' });
    expect(b.stateHash()).toBe(reference);
    expect(b.equivocations()).toEqual([
      { author: owner.author, seq: forkA.change.seq, hashes: [forkA.hash, forkB.hash].sort() },
    ]);
    expect(b.getChange(forkA.hash)?.status).toBe('rejected');
    expect(b.getChange(forkA.hash)?.reason).toBe('E_EQUIVOCATION');
  });

  it('two honest replicas receiving the forks in opposite orders converge', async () => {
    const { owner, mallory, a, b } = await setup();
    const c = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    await c.ingestMany(a.changes().map((e) => e.sc.bytes));
    const forkA = await signChange(owner, handMade(b, owner, {}));
    const forkB = await signChange(owner, handMade(b, owner, { hlc: { ms: 5, c: 0 } }));
    // An honest write on b built on forkA survives on both.
    await b.ingest(forkA.bytes);
    await b.change((tx) => tx.update('todos', 'doc1', { done: true }));
    const honest = b.changes().find((e) => e.sc.change.author === mallory.author)!;
    await b.ingest(forkB.bytes).catch(() => undefined);
    await c.ingest(forkB.bytes);
    await c.ingest(forkA.bytes).catch(() => undefined);
    await c.ingest(honest.sc.bytes);
    expect(c.stateHash()).toBe(b.stateHash());
    expect(c.get('todos', 'doc1')).toEqual({ id: 'doc1', title: 'hello', done: true });
    expect(c.equivocations()).toEqual(b.equivocations());
  });

  it('parking: a change whose deps are missing waits, then applies when they arrive', async () => {
    const { owner, a } = await setup();
    await a.change((tx) => tx.update('todos', 'doc1', { title: 'second' }));
    await a.change((tx) => tx.update('todos', 'doc1', { title: 'third' }));
    const fresh = await createReplica({ identity: owner, db: a.dbId });
    const all = a.changes().map((e) => e.sc.bytes);
    const results = await fresh.ingestMany([...all].reverse());
    expect(results.slice(0, -1).every((r) => r.status === 'pending')).toBe(true);
    expect(fresh.stateHash()).toBe(a.stateHash());
    expect(fresh.pendingCount).toBe(0);
  });

  it('bounds the pending buffer with E_PENDING_FULL', async () => {
    const { owner, a } = await setup();
    for (let i = 0; i < 4; i++) await a.change((tx) => tx.update('todos', 'doc1', { n: i }));
    const fresh = await createReplica({ identity: owner, db: a.dbId, pendingLimits: { maxChanges: 2 } });
    const tail = a
      .changes()
      .slice(-4)
      .map((e) => e.sc.bytes);
    const results = await fresh.ingestMany(tail);
    expect(results.map((r) => r.status)).toEqual(['pending', 'pending', 'invalid', 'invalid']);
    expect(results[2]!.code).toBe('E_PENDING_FULL');
  });
});

describe('decoder fuzz', () => {
  it('random and mutated change bytes only ever produce a WeftError', async () => {
    const { owner, b } = await setup();
    const sc = await signChange(owner, handMade(b, owner, {}));
    const valid = sc.bytes;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc
            .array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(2)), {
              minLength: 1,
              maxLength: 6,
            })
            .map((muts) => {
              let bytes = Array.from(valid);
              for (const [at, v, kind] of muts) {
                if (kind === 0) bytes[at % bytes.length] = v;
                else if (kind === 1) bytes.splice(at % bytes.length, 0, v);
                else bytes = bytes.filter((_, i) => i !== at % bytes.length);
              }
              return new Uint8Array(bytes);
            }),
        ),
        (bytes) => {
          for (const parse of [() => parseChange(bytes), () => decodeMessage(bytes), () => decode(bytes)]) {
            try {
              parse();
            } catch (err) {
              if (!isWeftError(err)) throw err;
            }
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('ingest of garbage resolves with invalid results and never throws a non-WeftError', async () => {
    const { b } = await setup();
    const garbage = [new Uint8Array(0), new Uint8Array([0xff]), encode({ t: 'x' }), encode([new Uint8Array(3), 1])];
    const results = await b.ingestMany(garbage);
    expect(results.every((r) => r.status === 'invalid' && r.code === 'E_DECODE')).toBe(true);
  });
});
