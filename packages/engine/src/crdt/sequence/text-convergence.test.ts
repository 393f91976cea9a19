import { describe, expect, it } from 'vitest';
import { Text } from './text.ts';
import { type Driver, Network } from './test-net.ts';
import { checkInvariants } from './test-invariants.ts';
import { ReferenceText } from './test-reference.ts';
import { Rng, parseSeed } from './test-random.ts';

const SEED = parseSeed(process.env['WEFT_SEED']);
const ROUNDS = 40;

const textDriver: Driver<Text> = {
  make: () => new Text(),
  apply: (s, op, agent, counterStart) => s.apply(op, agent, counterStart),
};
const referenceDriver: Driver<ReferenceText> = {
  make: () => new ReferenceText(),
  apply: (s, op, agent, counterStart) => s.apply(op, agent, counterStart),
};

const ALPHABET = ['a', 'b', 'c', 'x', 'y', 'z', ' ', 'é', '😀', '日'];

function word(rng: Rng): string {
  let s = '';
  for (let n = 1 + rng.int(4); n > 0; n--) s += rng.pick(ALPHABET);
  return s;
}

/** Concurrent edits clustered around one hot spot, delivered in random causal order. */
function run(seed: number, steps: number): Network<Text> {
  const rng = new Rng(seed);
  const net = new Network(textDriver, 3 + rng.int(3), rng);
  net.local(0, (s, agent, cs) => s.insert(0, 'hello world', agent, cs));
  net.deliverAll();
  let hot = rng.int(12);
  for (let step = 0; step < steps; step++) {
    if (rng.chance(0.1)) hot = rng.int(net.peers[0]!.state.length + 1);
    if (rng.chance(0.55)) {
      net.local(rng.int(net.peers.length), (s, agent, cs) => {
        const len = s.length;
        const pos = rng.chance(0.7) ? Math.max(0, Math.min(len, hot + rng.int(3) - 1)) : rng.int(len + 1);
        if (len === 0 || rng.chance(0.65)) return s.insert(pos, word(rng), agent, cs);
        const at = Math.min(pos, len - 1);
        return s.delete(at, 1 + rng.int(Math.min(3, len - at)), agent);
      });
    } else if (rng.chance(0.03)) {
      // Restart a replica from its snapshot: merging must go on as if nothing happened.
      const p = net.peers[rng.int(net.peers.length)]!;
      p.state = Text.decodeState(p.state.encodeState());
    } else net.deliverOne();
  }
  net.deliverAll();
  return net;
}

describe('text convergence (seeded fuzz)', () => {
  it(`replicas converge to the reference FugueMax order (WEFT_SEED=${SEED})`, () => {
    for (let r = 0; r < ROUNDS; r++) {
      const seed = (SEED + r) >>> 0;
      // One long round per run grows multi-level trees with many concurrent scans.
      const net = run(seed, r === 0 ? 2500 : 250);
      const texts = net.peers.map((p) => p.state.toString());
      const msg = `replay with WEFT_SEED=${seed}`;
      for (const t of texts) expect(t, msg).toBe(texts[0]);
      for (const p of net.peers) checkInvariants(p.state.core);
      expect(net.replayAll(referenceDriver).toString(), msg).toBe(texts[0]);
      const snap = net.peers[0]!.state.encodeState();
      expect(Text.decodeState(snap).toString(), msg).toBe(texts[0]);
      // Converged replicas hold the same CRDT state, so their snapshots are byte-identical.
      for (const p of net.peers) expect(p.state.encodeState(), msg).toEqual(snap);
    }
  });
});
