import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import type { Transport } from '../sync/transport.ts';
import { Rng, seedsToRun, withSeed } from './random.ts';
import { SimulatedNetwork, type SimulatedNetworkOptions } from './simulated-network.ts';

/** A frame carrying a 32-bit number, so tests can tell frames apart. */
const frame = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
const num = (f: Uint8Array): number => ((f[0]! << 24) | (f[1]! << 16) | (f[2]! << 8) | f[3]!) >>> 0;

/** Sends `count` numbered frames a → b and records what b receives. */
async function oneWay(seed: number, options: SimulatedNetworkOptions, count: number) {
  const net = new SimulatedNetwork(new Rng(seed), options);
  const [a, b] = net.connect('a', 'b');
  const got: number[] = [];
  b.onMessage((f) => got.push(num(f)));
  for (let i = 0; i < count; i++) a.send(frame(i));
  const steps = await net.runUntilQuiet();
  return { got, stats: net.stats(), steps, net };
}

/** A little ping-pong workload whose replies depend on delivery order, to exercise async receivers. */
async function chatter(seed: number): Promise<{ log: string[]; stats: object; time: number }> {
  const net = new SimulatedNetwork(new Rng(seed).fork('net'), {
    drop: 0.1,
    duplicate: 0.1,
    reorder: 0.3,
    maxDelay: 5,
  });
  const log: string[] = [];
  const nodes = ['x', 'y', 'z'];
  const wire = (name: string, t: Transport): void => {
    t.onMessage(async (f) => {
      await Promise.resolve(); // an async receiver, like a session that awaits storage
      const n = num(f);
      log.push(`${name}<${n}@${net.now()}`);
      if (n % 7 !== 0) t.send(frame(n + 1));
    });
  };
  for (let i = 0; i < nodes.length; i++)
    for (let j = i + 1; j < nodes.length; j++) {
      const [p, q] = net.connect(nodes[i]!, nodes[j]!);
      wire(nodes[j]!, q);
      wire(nodes[i]!, p);
      p.send(frame(100 * i + 10 * j + 1));
      net.setTimer(3, () => q.send(frame(1000 + i * 10 + j)));
    }
  await net.runUntilQuiet();
  return { log, stats: net.stats(), time: net.now() };
}

describe('SimulatedNetwork', () => {
  it('delivers everything, in order, when no faults are configured', async () => {
    const { got, stats } = await oneWay(1, {}, 500);
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(stats).toEqual({ sent: 500, delivered: 500, dropped: 0, duplicated: 0, pending: 0 });
  });

  it('is deterministic: the same seed gives the same deliveries, times and stats', async () => {
    for (const seed of seedsToRun(5, 40))
      await withSeed(seed, async () => {
        const first = await chatter(seed);
        const second = await chatter(seed);
        expect(second).toEqual(first);
        expect(first.log.length).toBeGreaterThan(10);
      });
    expect((await chatter(1)).log).not.toEqual((await chatter(2)).log);
  });

  it('drops, duplicates and reorders at roughly the configured rates', async () => {
    const n = 20_000;
    const { got, stats } = await oneWay(7, { drop: 0.2, duplicate: 0.1, reorder: 0.25 }, n);
    expect(stats.sent).toBe(n);
    expect(stats.dropped / n).toBeCloseTo(0.2, 1);
    expect(stats.duplicated / (n - stats.dropped)).toBeCloseTo(0.1, 1);
    expect(stats.delivered).toBe(n - stats.dropped + stats.duplicated);
    expect(got).toHaveLength(stats.delivered);
    let outOfOrder = 0;
    for (let i = 1; i < got.length; i++) if (got[i]! < got[i - 1]!) outOfOrder++;
    expect(outOfOrder / got.length).toBeGreaterThan(0.05);
    expect(outOfOrder / got.length).toBeLessThan(0.25);
    const distinct = new Set(got);
    expect(distinct.size).toBe(n - stats.dropped);
  });

  it('reorders through latency when maxDelay is set, without losing frames', async () => {
    const { got, stats, net } = await oneWay(3, { maxDelay: 50 }, 1000);
    expect([...got].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(got).not.toEqual([...got].sort((x, y) => x - y));
    expect(stats.pending).toBe(0);
    expect(net.now()).toBeGreaterThan(0);
    expect(net.now()).toBeLessThanOrEqual(50);
  });

  it('is fast enough for convergence runs: 100k frames in a few seconds', async () => {
    const started = Date.now();
    const { stats } = await oneWay(11, { drop: 0.05, duplicate: 0.05, reorder: 0.1 }, 100_000);
    expect(stats.delivered + stats.dropped).toBe(100_000 + stats.duplicated);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('blocks frames across a partition, both in flight and newly sent, until healed', async () => {
    const net = new SimulatedNetwork(new Rng(5));
    const [ab, ba] = net.connect('a', 'b');
    const [ac, ca] = net.connect('a', 'c');
    const got: string[] = [];
    ba.onMessage((f) => got.push(`b${num(f)}`));
    ca.onMessage((f) => got.push(`c${num(f)}`));
    ab.send(frame(1)); // in flight when the partition starts
    net.partition([['a', 'c'], ['b']]);
    ab.send(frame(2));
    ac.send(frame(3));
    await net.runUntilQuiet();
    expect(got).toEqual(['c3']);
    expect(net.stats().dropped).toBe(2);
    net.heal();
    ab.send(frame(4));
    await net.runUntilQuiet();
    expect(got).toEqual(['c3', 'b4']);
  });

  it('cuts off nodes that a partition does not list, and rejects a node in two groups', async () => {
    const net = new SimulatedNetwork(new Rng(5));
    const [ab, ba] = net.connect('a', 'b');
    const got: number[] = [];
    ba.onMessage((f) => got.push(num(f)));
    net.partition([['a']]);
    ab.send(frame(1));
    await net.runUntilQuiet();
    expect(got).toEqual([]);
    expect(() => net.partition([['a'], ['a', 'b']])).toThrow(WeftError);
  });

  it('disconnect closes both sides with E_CLOSED and drops frames in flight', async () => {
    const net = new SimulatedNetwork(new Rng(9));
    const [ab, ba] = net.connect('a', 'b');
    const [ac, ca] = net.connect('a', 'c');
    expect(ab.kind).toBe('simulated');
    const reasons: string[] = [];
    ab.onClose((r) => reasons.push(`a:${r?.code}`));
    ba.onClose((r) => reasons.push(`b:${r?.code}`));
    ca.onClose(() => reasons.push('c'));
    const got: number[] = [];
    ba.onMessage((f) => got.push(num(f)));
    ca.onMessage((f) => got.push(num(f)));
    ab.send(frame(1));
    net.disconnect('b', 'a');
    ab.send(frame(2)); // after close: dropped silently, not even counted
    ac.send(frame(3));
    await net.runUntilQuiet();
    expect(reasons.sort()).toEqual(['a:E_CLOSED', 'b:E_CLOSED']);
    expect(got).toEqual([3]);
    expect(net.stats()).toMatchObject({ sent: 2, delivered: 1, dropped: 1 });
  });

  it('close() on one transport closes both ends with no reason', async () => {
    const net = new SimulatedNetwork(new Rng(9));
    const [ab, ba] = net.connect('a', 'b');
    const reasons: unknown[] = [];
    ab.onClose((r) => reasons.push(r));
    ba.close();
    await net.settle();
    ba.onClose((r) => reasons.push(r)); // installed late: still told, once
    ba.close();
    await net.settle();
    expect(reasons).toEqual([undefined, undefined]);
  });

  it('queues frames delivered before a handler exists, keeping their order', async () => {
    const net = new SimulatedNetwork(new Rng(2));
    const [ab, ba] = net.connect('a', 'b');
    ab.send(frame(1));
    ab.send(frame(2));
    await net.runUntilQuiet();
    const got: number[] = [];
    ba.onMessage((f) => got.push(num(f)));
    ab.send(frame(3));
    expect(net.step()).toBe(true); // delivered while the backlog still waits for its microtask
    await net.settle();
    expect(got).toEqual([1, 2, 3]);
  });

  it('copies frames on send and never delivers inside send', () => {
    const net = new SimulatedNetwork(new Rng(2));
    const [ab, ba] = net.connect('a', 'b');
    const got: Uint8Array[] = [];
    ba.onMessage((f) => got.push(f));
    const f = frame(5);
    ab.send(f);
    f[3] = 0;
    expect(got).toHaveLength(0);
    expect(net.step()).toBe(true);
    expect(net.step()).toBe(false);
    expect(num(got[0]!)).toBe(5);
  });

  it('fires timers in time order, ties in creation order, and skips cancelled ones', async () => {
    const net = new SimulatedNetwork(new Rng(1));
    const fired: string[] = [];
    net.setTimer(30, () => fired.push(`c@${net.now()}`));
    net.setTimer(10, () => fired.push(`a@${net.now()}`));
    net.setTimer(10, () => fired.push(`b@${net.now()}`));
    const cancel = net.setTimer(20, () => fired.push('cancelled'));
    net.setTimer(20, () => net.setTimer(5, () => fired.push(`nested@${net.now()}`)));
    cancel();
    const steps = await net.runUntilQuiet();
    expect(fired).toEqual(['a@10', 'b@10', 'nested@25', 'c@30']);
    expect(steps).toBe(5);
    expect(net.now()).toBe(30);
  });

  it('moves time only when nothing is deliverable, so timers see settled receivers', async () => {
    const net = new SimulatedNetwork(new Rng(4));
    const [ab, ba] = net.connect('a', 'b');
    const events: string[] = [];
    ba.onMessage(async (f) => {
      for (let i = 0; i < 50; i++) await Promise.resolve(); // slower than the per-step flush
      events.push(`b handled ${num(f)} at ${net.now()}`);
      ba.send(f);
    });
    ab.onMessage((f) => events.push(`a got ${num(f)} at ${net.now()}`));
    net.setTimer(1, () => events.push(`timer at ${net.now()}`));
    ab.send(frame(8));
    await net.runUntilQuiet();
    expect(events).toEqual(['b handled 8 at 0', 'a got 8 at 0', 'timer at 1']);
  });

  it('advance() fires due timers without delivering frames; runFor() does both up to a deadline', async () => {
    const net = new SimulatedNetwork(new Rng(4));
    const [ab, ba] = net.connect('a', 'b');
    const got: number[] = [];
    ba.onMessage((f) => got.push(num(f)));
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(net.now());
      ab.send(frame(net.now()));
      net.setTimer(10, tick); // a retry loop that never ends on its own
    };
    net.setTimer(10, tick);
    expect(await net.advance(25)).toBe(2);
    expect(net.now()).toBe(25);
    expect(got).toEqual([]);
    await net.runFor(20);
    expect(net.now()).toBe(45);
    expect(fired).toEqual([10, 20, 30, 40]);
    expect(got).toEqual([10, 20, 30, 40]);
    await expect(net.runUntilQuiet(100)).rejects.toMatchObject({ code: 'E_INTERNAL' });
  });

  it('rejects bad options and self-links', () => {
    expect(() => new SimulatedNetwork(new Rng(1), { drop: 1.5 })).toThrow(WeftError);
    expect(() => new SimulatedNetwork(new Rng(1), { reorder: -0.1 })).toThrow(WeftError);
    expect(() => new SimulatedNetwork(new Rng(1)).connect('a', 'a')).toThrow(WeftError);
  });
});
