/**
 * Workloads shared by the engine benchmarks: signed changes from several authors, built
 * without a replica so generation is fast and the DAG shape is controlled.
 */
import {
  generateIdentity,
  createReplica,
  signChange,
  type Change,
  type ChangeHash,
  type DbId,
  type DocOp,
  type Identity,
  type SignedChange,
} from '@weft/engine';

/** Makes `n` changes of `opsPerChange` set ops each, round-robin over `authors` authors. */
export async function makeChanges(
  authors: number,
  n: number,
  opsPerChange: number,
  docs = 1000,
  base?: { creator: Identity; genesis: SignedChange },
): Promise<{
  dbId: DbId;
  creator: Identity;
  changes: SignedChange[];
  genesis: Uint8Array;
  genesisChange: SignedChange;
}> {
  const creator = base?.creator ?? (await generateIdentity());
  const genesis =
    base?.genesis ?? (await createReplica({ identity: creator, create: { name: 'bench' } })).changes()[0]!.sc;
  const seed = { dbId: genesis.hash as string as DbId };
  // With a shared base, fresh authors only: their changes are concurrent with the other group's.
  const ids: Identity[] = base === undefined ? [creator] : [];
  while (ids.length < authors) ids.push(await generateIdentity());
  const last = new Map<string, { hash: ChangeHash; seq: number }>([[creator.author, { hash: genesis.hash, seq: 1 }]]);
  let head: ChangeHash = genesis.hash;
  const out: SignedChange[] = [];
  let ms = Date.now();
  for (let i = 0; i < n; i++) {
    const who = ids[i % authors]!;
    const prev = last.get(who.author);
    const deps = [...new Set([head, ...(prev ? [prev.hash] : [])])].sort() as ChangeHash[];
    const ops: DocOp[] = [];
    for (let k = 0; k < opsPerChange; k++)
      ops.push({
        k: 'set',
        c: 'items',
        d: `d${(i * 7 + k * 13) % docs}`,
        p: [`f${k}`],
        v: i * 10 + k,
      } as unknown as DocOp);
    const change: Change = {
      v: 1,
      db: seed.dbId,
      author: who.author,
      seq: (prev?.seq ?? 0) + 1,
      deps,
      hlc: { ms: ms++, c: 0 },
      schema: null,
      ops,
    } as Change;
    const sc = await signChange(who, change);
    out.push(sc);
    last.set(who.author, { hash: sc.hash, seq: change.seq });
    head = sc.hash;
  }
  return { dbId: seed.dbId, creator, changes: out, genesis: genesis.bytes, genesisChange: genesis };
}

/**
 * Bare WebCrypto Ed25519 verify of the same signatures, with `inFlight` requests in flight and
 * keys imported once per author (the same caching Weft does): the physical limit ingest is
 * measured against.
 */
export async function rawVerifyPerSecond(changes: readonly SignedChange[], inFlight: number): Promise<number> {
  const subtle = globalThis.crypto.subtle;
  const keys = new Map<string, CryptoKey>();
  for (const c of changes) {
    if (!keys.has(c.change.author))
      keys.set(
        c.change.author,
        await subtle.importKey('raw', Buffer.from(c.change.author, 'hex'), { name: 'Ed25519' }, false, ['verify']),
      );
  }
  const inputs = changes.map((c) => ({ key: keys.get(c.change.author)!, msg: Buffer.from(c.hash, 'hex'), sig: c.sig }));
  const t0 = performance.now();
  let next = 0;
  let ok = 0;
  async function worker(): Promise<void> {
    while (next < inputs.length) {
      const x = inputs[next++]!;
      if (await subtle.verify({ name: 'Ed25519' }, x.key, x.sig as Uint8Array<ArrayBuffer>, x.msg)) ok++;
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  if (ok !== inputs.length) throw new Error('raw verify rejected a valid signature');
  return (inputs.length / ms) * 1000;
}
