/**
 * Test harness: N replicas of one database, fully meshed over a {@link SimulatedNetwork},
 * driven deterministically. Every identity, clock and random byte derives from the seed, and
 * after each delivered frame the harness waits until every session has handled it, so a seed
 * replays the exact same run.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { importIdentity } from '../crypto/identity.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import { createReplica, type Replica, type ReplicaOptions } from '../replica/replica.ts';
import type { SyncSession } from '../sync/session.ts';
import { SimulatedNetwork, type SimulatedNetworkOptions } from './simulated-network.ts';
import type { Rng } from './random.ts';
import { toHex } from '../bytes.ts';

/** Builds a deterministic identity from the rng. */
export async function seededIdentity(rng: Rng, port?: Ed25519Port) {
  const secretKey = rng.bytes(32);
  return importIdentity({ v: 1, secretKey, publicKey: ed25519.getPublicKey(secretKey) }, port);
}

/**
 * Wraps a verifier with a memo shared by every replica of a test run. Each replica still asks
 * for every signature; the memo only saves recomputing the identical answer. Integrity tests
 * use the bare port.
 */
export function memoizedVerifier(port: Ed25519Port): Ed25519Port {
  const memo = new Map<string, Promise<boolean>>();
  return {
    name: `${port.name}+memo`,
    generate: () => port.generate(),
    importSecret: (secret) => port.importSecret(secret),
    exportSecret: (key) => port.exportSecret(key),
    verify(publicKey, message, signature) {
      const key = toHex(signature) + toHex(message) + toHex(publicKey);
      let r = memo.get(key);
      if (r === undefined) memo.set(key, (r = port.verify(publicKey, message, signature)));
      return r;
    },
  };
}

/** A cluster of replicas in one simulated network. */
export class ReplicaCluster {
  readonly sessions: SyncSession[] = [];
  private readonly links = new Map<string, SyncSession[]>();

  private constructor(
    readonly net: SimulatedNetwork,
    readonly replicas: Replica[],
    private readonly retryMs: number,
  ) {}

  /** Creates `n` replicas (the first creates the database) and connects every pair. */
  static async create(
    rng: Rng,
    n: number,
    options: { net?: SimulatedNetworkOptions; port: Ed25519Port; replica?: Partial<ReplicaOptions> },
  ): Promise<ReplicaCluster> {
    const net = new SimulatedNetwork(rng.fork('net'), options.net ?? {});
    const base = 1_700_000_000_000;
    const common = (i: number): Partial<ReplicaOptions> => ({
      ed25519: options.port,
      wallClock: () => base + net.now() + i,
      random: (k: number) => rng.bytes(k),
      ...options.replica,
    });
    const first = await createReplica({
      identity: await seededIdentity(rng, options.port),
      create: { name: 'sim' },
      ...common(0),
    });
    const replicas = [first];
    for (let i = 1; i < n; i++)
      replicas.push(
        await createReplica({ identity: await seededIdentity(rng, options.port), db: first.dbId, ...common(i) }),
      );
    const cluster = new ReplicaCluster(net, replicas, 1000);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) cluster.connect(i, j);
    return cluster;
  }

  /** Opens a sync session pair between replicas i and j. */
  connect(i: number, j: number): void {
    const [ti, tj] = this.net.connect(`r${i}`, `r${j}`);
    const opts = { scheduler: (ms: number, cb: () => void) => this.net.setTimer(ms, cb), retryMs: this.retryMs };
    const pair = [this.replicas[i]!.sync(ti, opts), this.replicas[j]!.sync(tj, opts)];
    this.sessions.push(...pair);
    this.links.set(`${i}-${j}`, pair);
  }

  /** Closes the link between i and j (both sessions end). */
  disconnect(i: number, j: number): void {
    this.net.disconnect(`r${i}`, `r${j}`);
    const pair = this.links.get(`${i}-${j}`) ?? [];
    for (const s of pair) this.sessions.splice(this.sessions.indexOf(s), 1);
    this.links.delete(`${i}-${j}`);
  }

  /** Waits until every session has handled every frame it received. */
  async idle(): Promise<void> {
    for (const s of this.sessions) await s.idle();
  }

  /** Delivers up to `steps` frames, one at a time, each fully handled before the next. */
  async deliver(steps: number): Promise<number> {
    let n = 0;
    while (n < steps && this.net.step()) {
      n++;
      await this.idle();
    }
    return n;
  }

  /** Runs until every session is settled and nothing is in flight, or throws after `maxRounds`. */
  async converge(maxRounds = 10_000): Promise<void> {
    for (let round = 0; round < maxRounds; round++) {
      await this.deliver(Infinity);
      if (this.net.stats().pending === 0 && this.sessions.every((s) => s.settled)) return;
      await this.net.advance(this.retryMs);
      await this.idle();
    }
    throw new Error(`cluster did not converge after ${maxRounds} rounds`);
  }
}
