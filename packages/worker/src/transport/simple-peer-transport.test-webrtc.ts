/**
 * The WebRTC half of `simple-peer-transport.test.ts`, run as a child process:
 *
 *     node --import tsx packages/worker/src/transport/simple-peer-transport.test-webrtc.ts
 *
 * It opens REAL data channels between two `simple-peer` instances on `@roamhq/wrtc`, with the
 * signaling wired directly between them in this process and no ICE servers at all, so the only
 * candidates are the host's own interface addresses. The vitest test runs this inside a private
 * network namespace whose only interfaces are `lo` and a veth pair (10.200.0.1 and 10.200.0.2),
 * so every packet stays inside that namespace (see the test file for how, and when it can't).
 *
 * Scenarios, each on a fresh connection:
 *  - converge: two replicas with concurrent edits run `Replica.sync` over the channel until both
 *    sessions settle; the test compares state hashes. The first batch is larger than one data-
 *    channel piece, so reassembly is exercised.
 *  - tooLarge: a frame over the receiver's `maxFrameBytes` closes it with `E_TOO_LARGE`.
 *  - bulk: 16 MiB written before the channel opens arrives whole, and the channel's send buffer
 *    stays bounded (backpressure through simple-peer's stream `write`).
 *  - destroy: `close()` on one side (simple-peer `destroy`) notifies the other side exactly once.
 *
 * Prints one line `RESULT <json>` and exits (wrtc keeps native threads alive otherwise).
 */
import { networkInterfaces } from 'node:os';
import wrtc from '@roamhq/wrtc';
import Peer from 'simple-peer';
import { createReplica, generateIdentity, type Replica } from '@weft/engine';
import { PIECE_MORE, simplePeerTransport } from './simple-peer-transport.ts';

const CONNECT_MS = 20_000;

/** Every ICE candidate address either peer offered. */
const candidateAddresses = new Set<string>();
/** The addresses of each selected candidate pair. */
const selected: string[] = [];

function deadline<T>(what: string, ms: number, p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, ok: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

function noteCandidate(signal: Peer.SignalData): void {
  const line = 'candidate' in signal ? signal.candidate?.candidate : undefined;
  if (line === undefined) return;
  // "candidate:<foundation> <component> <protocol> <priority> <address> <port> typ <type> ..."
  const address = line.split(' ')[4];
  if (address !== undefined) candidateAddresses.add(address);
}

/** Two peers, connecting. Signaling is a direct in-process hand-off; no STUN/TURN servers. */
function peerPair(): { a: Peer.Instance; b: Peer.Instance; connected: Promise<void> } {
  const options = {
    wrtc: wrtc as unknown as Peer.Options['wrtc'],
    config: { iceServers: [] },
    trickle: true,
  };
  const a = new Peer({ ...options, initiator: true });
  const b = new Peer(options);
  a.on('signal', (s: Peer.SignalData) => {
    noteCandidate(s);
    b.signal(s);
  });
  b.on('signal', (s: Peer.SignalData) => {
    noteCandidate(s);
    a.signal(s);
  });
  const connected = (p: Peer.Instance) =>
    new Promise<void>((resolve, reject) => {
      p.once('connect', () => resolve());
      p.once('error', reject);
    });
  const both = deadline('WebRTC connect', CONNECT_MS, Promise.all([connected(a), connected(b)])).then(() => {
    // simple-peer records the selected candidate pair's addresses (untyped in @types/simple-peer).
    const at = (p: Peer.Instance) => p as unknown as { localAddress?: string; remoteAddress?: string };
    selected.push(`${at(a).localAddress} -> ${at(a).remoteAddress}`, `${at(b).localAddress} -> ${at(b).remoteAddress}`);
  });
  return { a, b, connected: both };
}

/** Two connected peers. */
async function connectedPair(): Promise<[Peer.Instance, Peer.Instance]> {
  const { a, b, connected } = peerPair();
  await connected;
  return [a, b];
}

async function converge() {
  const a: Replica = await createReplica({ identity: await generateIdentity(), create: { name: 'webrtc' } });
  const b: Replica = await createReplica({ identity: await generateIdentity(), db: a.dbId });
  // Concurrent edits: both write the same doc, and each writes docs of its own.
  for (let i = 0; i < 300; i++) {
    await a.change((tx) => tx.insert('todos', { title: `a${i}`, note: 'x'.repeat(40) }, `a${i}`));
  }
  for (let i = 0; i < 40; i++) await b.change((tx) => tx.insert('todos', { title: `b${i}` }, `b${i}`));
  await a.change((tx) => tx.insert('todos', { title: 'shared from a', by: 'a' }, 'shared'));
  await b.change((tx) => tx.insert('todos', { title: 'shared from b', n: 2 }, 'shared'));
  const before = { a: a.stateHash(), b: b.stateHash() };

  const [pa, pb] = await connectedPair();
  let pieces = 0;
  let morePieces = 0;
  let largestPiece = 0;
  for (const p of [pa, pb]) {
    p.on('data', (d: Uint8Array) => {
      pieces++;
      if (d[0] === PIECE_MORE) morePieces++;
      largestPiece = Math.max(largestPiece, d.length);
    });
  }
  const ta = simplePeerTransport(pa);
  const tb = simplePeerTransport(pb);
  // The sessions own the transports' close handlers; they report through `closed`.
  const sa = a.sync(ta);
  const sb = b.sync(tb);
  const started = Date.now();
  await until('sync settles', 30_000, () => sa.settled && sb.settled && a.stateHash() === b.stateHash());
  const ms = Date.now() - started;
  const result = {
    kind: ta.kind,
    ms,
    differedBefore: before.a !== before.b,
    stateA: a.stateHash(),
    stateB: b.stateHash(),
    headsEqual: JSON.stringify(a.heads()) === JSON.stringify(b.heads()),
    todosA: a.list('todos').length,
    todosB: b.list('todos').length,
    sharedA: a.get('todos', 'shared'),
    sharedB: b.get('todos', 'shared'),
    pieces,
    morePieces,
    largestPiece,
    framesOut: sa.stats.framesOut + sb.stats.framesOut,
  };
  sa.close();
  const [ra, rb] = await deadline('both sessions close', 10_000, Promise.all([sa.closed, sb.closed]));
  return { ...result, sessionsClosed: { a: ra?.code ?? null, b: rb?.code ?? null } };
}

async function tooLarge() {
  const [pa, pb] = await connectedPair();
  const ta = simplePeerTransport(pa);
  const tb = simplePeerTransport(pb, { maxFrameBytes: 20_000 });
  const got: number[] = [];
  tb.onMessage((f) => got.push(f.length));
  const closes = { a: [] as (string | undefined)[], b: [] as (string | undefined)[] };
  ta.onClose((r) => closes.a.push(r?.code));
  tb.onClose((r) => closes.b.push(r?.code));
  ta.send(new Uint8Array(1000).fill(7));
  ta.send(new Uint8Array(20_000).fill(8)); // exactly the limit, in two pieces: accepted
  await until('frames under the limit arrive', 10_000, () => got.length === 2);
  ta.send(new Uint8Array(100_000)); // seven pieces; the second crosses the limit
  await until('both sides close', 10_000, () => closes.a.length > 0 && closes.b.length > 0);
  await sleep(200);
  return { got, closes };
}

/**
 * Backpressure: 16 frames of 1 MiB, sent before the channel even opens, arrive whole and in order
 * while the data channel's send buffer stays near simple-peer's 64 KiB mark (a browser channel
 * closes itself when that buffer overflows).
 */
async function bulk() {
  const { a, b, connected } = peerPair();
  const ta = simplePeerTransport(a);
  const tb = simplePeerTransport(b);
  const frames = 16;
  const got: { length: number; first: number; last: number }[] = [];
  tb.onMessage((f) => got.push({ length: f.length, first: f[0]!, last: f[f.length - 1]! }));
  let maxBuffered = 0;
  const watch = setInterval(() => (maxBuffered = Math.max(maxBuffered, ta.bufferedBytes())), 1);
  for (let i = 0; i < frames; i++) ta.send(new Uint8Array(1 << 20).fill(i + 1));
  await connected;
  await until('bulk frames arrive', 30_000, () => got.length === frames);
  clearInterval(watch);
  const intact = got.every((g, i) => g.length === 1 << 20 && g.first === i + 1 && g.last === i + 1);
  ta.close();
  return { frames: got.length, intact, maxBuffered };
}

async function destroy() {
  const [pa, pb] = await connectedPair();
  const ta = simplePeerTransport(pa);
  const tb = simplePeerTransport(pb);
  const closes = { a: [] as (string | undefined)[], b: [] as (string | undefined)[] };
  ta.onClose((r) => closes.a.push(r?.code));
  tb.onClose((r) => closes.b.push(r?.code));
  ta.close();
  await until('the other side hears the close', 10_000, () => closes.b.length > 0);
  await sleep(500); // room for a second (wrong) notification
  ta.close();
  ta.send(new Uint8Array([1])); // dropped silently after close
  tb.send(new Uint8Array([1]));
  return { closes };
}

async function main() {
  const interfaces = Object.entries(networkInterfaces()).map(
    ([name, list]) => `${name}:${(list ?? []).map((i) => i.address).join(',')}`,
  );
  const out = {
    interfaces,
    converge: await converge(),
    tooLarge: await tooLarge(),
    bulk: await bulk(),
    destroy: await destroy(),
    candidateAddresses: [...candidateAddresses].sort(),
    selected,
  };
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
