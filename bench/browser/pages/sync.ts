/**
 * `sync` (browser side): user A holds 10,000 changes (100,000 ops); user B joins empty, over
 * IndexedDB, and syncs until it has every change and A's state hash. Once over a real WebRTC
 * data channel (two simple-peer instances in this page, so both ends share its CPU, as two
 * tabs on one machine would share cores), once through the relay process (A pushes first, then
 * a fresh B pulls from the relay's persistent peer). Compared with raw WebCrypto Ed25519
 * verify of the same signatures in this page, 64 in flight.
 */
import {
  connectRelay,
  createReplica,
  fromHex,
  generateIdentity,
  relaySyncUrl,
  type Replica,
  type SignedChange,
  type SocketLike,
} from '@weft/engine';
import { openIndexedDbStorage, simplePeerTransport, type PeerConstructor } from '@weft/worker';
import { makeChanges } from '../../workload.ts';
import { freshName } from '../lib/idb-util.ts';

async function rawVerify(changes: readonly SignedChange[], inFlight: number): Promise<number> {
  const subtle = crypto.subtle;
  const keys = new Map<string, CryptoKey>();
  for (const c of changes)
    if (!keys.has(c.change.author))
      keys.set(
        c.change.author,
        await subtle.importKey('raw', fromHex(c.change.author) as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, [
          'verify',
        ]),
      );
  const inputs = changes.map((c) => ({ key: keys.get(c.change.author)!, msg: fromHex(c.hash), sig: c.sig }));
  let next = 0;
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (next < inputs.length) {
      const x = inputs[next++]!;
      if (
        !(await subtle.verify(
          { name: 'Ed25519' },
          x.key,
          x.sig as Uint8Array<ArrayBuffer>,
          x.msg as Uint8Array<ArrayBuffer>,
        ))
      )
        throw new Error('raw verify failed');
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return (inputs.length / (performance.now() - t0)) * 1000;
}

async function converged(b: Replica, total: number, hash: string, timeoutMs = 600_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (b.changes().length < total || b.stateHash() !== hash) {
    if (performance.now() > end) throw new Error(`B has ${b.changes().length}/${total} changes`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const openWs = (u: string): SocketLike => new WebSocket(u) as unknown as SocketLike;

export async function run(args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const n = Number(args.changes ?? 10_000);
  const opsPer = 10;
  console.log(`generating ${n} changes of ${opsPer} ops…`);
  const { dbId, creator, changes, genesis } = await makeChanges(10, n, opsPer);
  const a = await createReplica({ identity: creator, db: dbId });
  await a.ingest(genesis);
  for (let i = 0; i < changes.length; i += 1000) await a.ingestMany(changes.slice(i, i + 1000).map((c) => c.bytes));
  const total = a.changes().length;
  const hash = a.stateHash();
  const ops = changes.reduce((s, c) => s + c.change.ops.length, 0);
  const raw = await rawVerify(changes, 64);

  // WebRTC.
  const Peer = (await import('simple-peer/simplepeer.min.js')).default as PeerConstructor;
  const pa = new Peer({ initiator: true, trickle: true, config: { iceServers: [] } });
  const pb = new Peer({ initiator: false, trickle: true, config: { iceServers: [] } });
  pa.on('signal', (d) => pb.signal(d));
  pb.on('signal', (d) => pa.signal(d));
  await Promise.all([new Promise<void>((r) => pa.on('connect', r)), new Promise<void>((r) => pb.on('connect', r))]);
  const store1 = args.memory === true ? undefined : await openIndexedDbStorage(freshName('sync-webrtc'));
  const b1 = await createReplica({ identity: await generateIdentity(), db: dbId, ...(store1 && { storage: store1 }) });
  let t0 = performance.now();
  const sa = a.sync(simplePeerTransport(pa));
  const sb = b1.sync(simplePeerTransport(pb));
  await converged(b1, total, hash);
  const webrtcMs = performance.now() - t0;
  // Converged means every change is durable (the journal); this is until the write-behind
  // journal has also been copied into the stores, reported so the deferred work is visible.
  await store1?.drained();
  const webrtcDrainedMs = performance.now() - t0;
  sa.close();
  sb.close();
  pa.destroy();
  pb.destroy();
  await b1.close();

  // Relay: A uploads (not timed), then a fresh B downloads from the relay's persistent peer.
  const relay = String(args.relay);
  const linkA = connectRelay({ replica: a, identity: creator, url: relaySyncUrl(relay, dbId), openSocket: openWs });
  while (linkA.status.state !== 'synced' || linkA.status.pending > 0) await new Promise((r) => setTimeout(r, 50));
  linkA.close();
  const idB = await generateIdentity();
  const store2 = await openIndexedDbStorage(freshName('sync-relay'));
  const b2 = await createReplica({ identity: idB, db: dbId, storage: store2 });
  t0 = performance.now();
  const linkB = connectRelay({ replica: b2, identity: idB, url: relaySyncUrl(relay, dbId), openSocket: openWs });
  await converged(b2, total, hash);
  const relayMs = performance.now() - t0;
  await store2.drained();
  const relayDrainedMs = performance.now() - t0;
  linkB.close();
  await b2.close();

  const perS = (n / Math.max(webrtcMs, relayMs)) * 1000;
  return {
    bench: 'sync',
    changes: n,
    ops,
    webrtc_ms: Math.round(webrtcMs),
    relay_ms: Math.round(relayMs),
    changes_per_s: Math.round(perS),
    webrtc_changes_per_s: Math.round((n / webrtcMs) * 1000),
    relay_changes_per_s: Math.round((n / relayMs) * 1000),
    raw_verify_per_s: Math.round(raw),
    ratio_to_raw_verify: Number((perS / raw).toFixed(3)),
    webrtc_until_drained_ms: Math.round(webrtcDrainedMs),
    relay_until_drained_ms: Math.round(relayDrainedMs),
  };
}
