/**
 * The simple-peer transport: first against a peer double (framing, queueing, limits, one close),
 * then the real sync protocol over REAL WebRTC data channels (`simple-peer` + `@roamhq/wrtc`).
 *
 * Network rule: tests send traffic only to 127.0.0.1 or inside a network namespace the test made.
 * The WebRTC part runs in a child process (`simple-peer-transport.test-webrtc.ts`) started as
 *
 *     unshare -n sh -c 'ip link add v0 type veth peer name v1; ip addr add 10.200.0.1/24 dev v0;
 *                       ip addr add 10.200.0.2/24 dev v1; ip link set v0 up; ip link set v1 up;
 *                       ip link set lo up; exec node --import tsx <script>'
 *
 * so its only interfaces are `lo` and that veth pair, and every ICE candidate and packet stays in
 * the namespace, which disappears with the child. No ICE servers are configured, so nothing is even
 * attempted elsewhere. (libwebrtc in @roamhq/wrtc 0.10 offers the namespace's loopback addresses
 * too, and usually picks `::1`; that loopback is the namespace's own, so the rule holds either way.) Which wrapper is used:
 *  - root on Linux with `unshare` and `ip`: `unshare -n` (the case in CI and in the dev sandbox);
 *  - not root, but unprivileged user namespaces allowed: `unshare -r -n` (root inside a user
 *    namespace may create the veth pair in its own network namespace);
 *  - otherwise (no Linux, no `unshare`/`ip`, user namespaces disabled): the child runs plain, on
 *    the host's network stack. Its candidates are then the host's own interface addresses, again
 *    with no ICE servers, so the traffic goes from this host to itself; the test still checks that
 *    every candidate is one of the host's own addresses.
 * The test asserts which mode ran (`mode` in the output) and, in a namespace, that the child saw
 * exactly `lo`, `v0` and `v1`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { WeftError } from '@weft/engine';
import { PIECE_LAST, PIECE_MORE, simplePeerTransport, type SimplePeerLike } from './simple-peer-transport.ts';

/** A peer double: the test fires its events and reads what was sent. */
function fakePeer(opts: { withWrite?: boolean } = {}) {
  const listeners = new Map<string, ((e?: unknown) => void)[]>();
  const sent: Uint8Array[] = [];
  let destroyed = 0;
  const peer = {
    bufferSize: 123,
    send: (d: Uint8Array) => sent.push(d),
    destroy: () => destroyed++,
    on: (t: string, l: (e?: unknown) => void) => listeners.set(t, [...(listeners.get(t) ?? []), l]),
    ...(opts.withWrite === true ? { write: (d: Uint8Array) => (sent.push(d), true) } : {}),
  } as unknown as SimplePeerLike;
  const fire = (t: string, e?: unknown) => listeners.get(t)?.forEach((l) => l(e));
  return { peer, sent, fire, destroyed: () => destroyed };
}

const piece = (head: number, ...body: number[]) => new Uint8Array([head, ...body]);

describe('simple-peer transport (peer double)', () => {
  it('cuts frames into pieces and reassembles them whole, queued until a handler is set', () => {
    const a = fakePeer();
    const ta = simplePeerTransport(a.peer, { chunkBytes: 2 });
    expect(ta.kind).toBe('webrtc');
    ta.send(new Uint8Array([1, 2, 3, 4, 5]));
    ta.send(new Uint8Array([]));
    expect(a.sent.map((p) => [...p])).toEqual([[PIECE_MORE, 1, 2], [PIECE_MORE, 3, 4], [PIECE_LAST, 5], [PIECE_LAST]]);

    const b = fakePeer();
    const tb = simplePeerTransport(b.peer, { chunkBytes: 2 });
    for (const p of a.sent) b.fire('data', Buffer.from(p)); // simple-peer hands over Buffers
    b.fire('data', piece(PIECE_LAST, 9).buffer); // and an ArrayBuffer is fine too
    const got: number[][] = [];
    tb.onMessage((f) => {
      expect(Buffer.isBuffer(f)).toBe(false);
      got.push([...f]);
    });
    expect(got).toEqual([[1, 2, 3, 4, 5], [], [9]]);
    b.fire('data', piece(PIECE_LAST, 7));
    expect(got.at(-1)).toEqual([7]);
    expect(tb.bufferedBytes()).toBe(123);
  });

  it('prefers the stream write (which waits for the channel and its bufferedAmount) over send', () => {
    const a = fakePeer({ withWrite: true });
    const ta = simplePeerTransport(a.peer);
    ta.send(new Uint8Array([1]));
    expect(a.sent.map((p) => [...p])).toEqual([[PIECE_LAST, 1]]);
  });

  it('closes with E_TOO_LARGE at the piece that crosses the limit, before delivering anything', () => {
    const b = fakePeer();
    const tb = simplePeerTransport(b.peer, { maxFrameBytes: 4 });
    const got: Uint8Array[] = [];
    const reasons: unknown[] = [];
    tb.onMessage((f) => got.push(f));
    tb.onClose((r) => reasons.push(r?.code));
    b.fire('data', piece(PIECE_LAST, 1, 2, 3, 4)); // exactly the limit
    b.fire('data', piece(PIECE_MORE, 1, 2, 3));
    b.fire('data', piece(PIECE_MORE, 4, 5)); // crosses it: no need to wait for the last piece
    b.fire('data', piece(PIECE_LAST, 6));
    expect(got.map((f) => f.length)).toEqual([4]);
    expect(reasons).toEqual(['E_TOO_LARGE']);
    expect(b.destroyed()).toBe(1);
    b.fire('close');
    expect(reasons).toEqual(['E_TOO_LARGE']);
  });

  it('closes with E_PROTOCOL on a message that is not a framed piece', () => {
    for (const bad of ['text', new Uint8Array([]), new Uint8Array([7, 1])]) {
      const b = fakePeer();
      const tb = simplePeerTransport(b.peer);
      const reasons: unknown[] = [];
      tb.onClose((r) => reasons.push(r?.code));
      b.fire('data', bad);
      expect(reasons).toEqual(['E_PROTOCOL']);
    }
  });

  it('notifies close once, also to a handler installed late; sends after close are dropped', () => {
    const a = fakePeer();
    const ta = simplePeerTransport(a.peer);
    a.fire('error', new Error('Connection failed.'));
    a.fire('close');
    const reasons: (WeftError | undefined)[] = [];
    ta.onClose((r) => reasons.push(r));
    expect(reasons.map((r) => r?.code)).toEqual(['E_CLOSED']);
    expect(reasons[0]!.message).toContain('Connection failed.');
    ta.send(new Uint8Array([1]));
    ta.close();
    expect(a.sent).toEqual([]);
    expect(reasons).toHaveLength(1);

    const b = fakePeer();
    const tb = simplePeerTransport(b.peer);
    const closes: unknown[] = [];
    tb.onClose((r) => closes.push(r));
    tb.close();
    tb.close();
    b.fire('close');
    expect(closes).toEqual([undefined]);
    expect(b.destroyed()).toBe(1);
  });

  it('turns a throwing send (channel closing) into one E_CLOSED close', () => {
    const a = fakePeer();
    (a.peer as { send: (d: Uint8Array) => void }).send = () => {
      throw new Error('InvalidStateError');
    };
    const ta = simplePeerTransport(a.peer, { chunkBytes: 1 });
    const reasons: unknown[] = [];
    ta.onClose((r) => reasons.push(r?.code));
    ta.send(new Uint8Array([1, 2, 3]));
    expect(reasons).toEqual(['E_CLOSED']);
    expect(a.destroyed()).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// Real WebRTC, in a child process inside a private network namespace (see the header).

const SCRIPT = fileURLToPath(new URL('./simple-peer-transport.test-webrtc.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const NETNS_SETUP = [
  'ip link add v0 type veth peer name v1',
  'ip addr add 10.200.0.1/24 dev v0',
  'ip addr add 10.200.0.2/24 dev v1',
  'ip link set v0 up',
  'ip link set v1 up',
  'ip link set lo up',
].join(' && ');

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Whether `unshare <flags>` can build the veth namespace here (checked with a no-op run). */
function canUnshare(flags: string[]): boolean {
  if (process.platform !== 'linux') return false;
  const r = spawnSync('unshare', [...flags, 'sh', '-c', NETNS_SETUP], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

function runWebrtcChild(): { mode: string; stdout: string; stderr: string; status: number | null } {
  const node = `${quote(process.execPath)} --import tsx ${quote(SCRIPT)}`;
  const isRoot = process.getuid?.() === 0;
  let mode = 'plain';
  let command: string;
  let args: string[];
  if (isRoot && canUnshare(['-n'])) {
    mode = 'netns';
    command = 'unshare';
    args = ['-n', 'sh', '-c', `${NETNS_SETUP} && exec ${node}`];
  } else if (canUnshare(['-r', '-n'])) {
    mode = 'userns+netns';
    command = 'unshare';
    args = ['-r', '-n', 'sh', '-c', `${NETNS_SETUP} && exec ${node}`];
  } else {
    // No namespace available: plain run on the host stack (see the header for what that means).
    command = process.execPath;
    args = ['--import', 'tsx', SCRIPT];
  }
  const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  return { mode, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

interface WebrtcResult {
  interfaces: string[];
  converge: {
    kind: string;
    differedBefore: boolean;
    stateA: string;
    stateB: string;
    headsEqual: boolean;
    todosA: number;
    todosB: number;
    sharedA: unknown;
    sharedB: unknown;
    morePieces: number;
    largestPiece: number;
    sessionsClosed: { a: string | null; b: string | null };
  };
  tooLarge: { got: number[]; closes: { a: (string | null)[]; b: (string | null)[] } };
  bulk: { frames: number; intact: boolean; maxBuffered: number };
  destroy: { closes: { a: (string | null)[]; b: (string | null)[] } };
  candidateAddresses: string[];
  selected: string[];
}

describe('simple-peer transport over real WebRTC (@roamhq/wrtc)', () => {
  it('syncs two replicas to the same state, closes on an oversized frame, reports a destroy once', () => {
    const run = runWebrtcChild();
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (run.status !== 0 || line === undefined) {
      throw new Error(`WebRTC child (${run.mode}) failed, status ${run.status}:\n${run.stderr}\n${run.stdout}`);
    }
    const out = JSON.parse(line.slice('RESULT '.length)) as WebrtcResult;

    // Where the traffic went.
    const own = new Set(out.interfaces.flatMap((i) => i.slice(i.indexOf(':') + 1).split(',')));
    if (run.mode !== 'plain') {
      expect(out.interfaces.map((i) => i.slice(0, i.indexOf(':'))).sort()).toEqual(['lo', 'v0', 'v1']);
    }
    expect(out.candidateAddresses.length).toBeGreaterThan(0);
    for (const a of out.candidateAddresses) expect(own.has(a.replace(/%.*$/, '')), a).toBe(true);
    for (const pair of out.selected) {
      for (const a of pair.split(' -> ')) expect(own.has(a.replace(/%.*$/, '')), pair).toBe(true);
    }

    // Concurrent edits converge over the data channel, with frames split into pieces.
    const c = out.converge;
    expect(c.kind).toBe('webrtc');
    expect(c.differedBefore).toBe(true);
    expect(c.stateA).toBe(c.stateB);
    expect(c.headsEqual).toBe(true);
    expect(c.todosA).toBe(341);
    expect(c.todosB).toBe(341);
    expect(c.sharedA).toEqual(c.sharedB);
    expect(c.morePieces).toBeGreaterThan(0);
    expect(c.largestPiece).toBeLessThanOrEqual(16 * 1024 + 1);
    expect(c.sessionsClosed).toEqual({ a: null, b: null });

    // Frames up to the limit arrive; the one over it closes the receiver with E_TOO_LARGE, and the
    // sender hears of it once.
    expect(out.tooLarge.got).toEqual([1000, 20_000]);
    expect(out.tooLarge.closes.b).toEqual(['E_TOO_LARGE']);
    expect(out.tooLarge.closes.a).toHaveLength(1);

    // Backpressure: 16 MiB sent before the channel opened arrived whole, and the channel's send
    // buffer stayed near simple-peer's 64 KiB threshold (plus at most one piece and some slack).
    expect(out.bulk.frames).toBe(16);
    expect(out.bulk.intact).toBe(true);
    expect(out.bulk.maxBuffered).toBeLessThan(256 * 1024);

    // destroy() on one side: each side is notified exactly once.
    expect(out.destroy.closes.a).toEqual([null]);
    expect(out.destroy.closes.b).toHaveLength(1);
  });
});
