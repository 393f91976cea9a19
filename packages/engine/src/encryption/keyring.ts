/**
 * A replica's keyring for one database: whether the database is encrypted, the epoch keys this
 * identity holds, who each epoch is wrapped for, and the changes waiting for a key. It opens
 * sealed changes into the view the rest of the pipeline sees, and seals local ones.
 *
 * Invariants:
 *  1. A database is encrypted iff its genesis change carries a keys op that starts an epoch.
 *     Nothing else can turn encryption on or off, so every replica agrees once it has the genesis.
 *  2. The view of a change is [clear ops…, decrypted ops…] with every keys/enc op removed
 *     (seal-ops.ts invariant 1); `hash`, `body`, `sig` and `bytes` stay the signed ciphertext form,
 *     so storage and sync only ever hold ciphertext.
 *  3. Keys are learned from every stored change before it is opened (a change may carry the wrap
 *     that opens its own content) and are accepted only if they hash to their epoch id
 *     (key-wrap.ts invariant 3), so holding a key never depends on a verdict or arrival order.
 *  4. A change whose epoch key is not held is *opaque*: its view has no content and it is
 *     judged on its clear part alone. It is kept, and opened again as soon as the key arrives
 *     (replica/core.ts), so replicas that hold the same keys converge on the same state.
 *  5. Who an epoch is wrapped for, and which change started it, are learned only from applied
 *     changes: they decide who a rotation re-wraps for and which epoch new writes use.
 */
import { fromHex, toHex } from '../bytes.ts';
import { compareHlc, type Hlc } from '../clock/hlc.ts';
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { AuthorId } from '../ids.ts';
import type { Change, SignedChange } from '../change/change.ts';
import type { DocOp, Op } from '../change/op.ts';
import { openOps, sealOps, type Envelope } from './content-cipher.ts';
import { epochIdOf, unwrapKey, wrapKey } from './key-wrap.ts';
import { sealOpsOf, type KeysOp } from './seal-ops.ts';

/** A change opened for the pipeline. */
export interface Opened {
  /** The view (invariant 2). */
  readonly sc: SignedChange;
  /** Why the change breaks the database's encryption, or null. */
  readonly error: { readonly code: WeftErrorCode; readonly message: string } | null;
  /** The epoch (hex) whose key it waits for, when opaque (invariant 4). */
  readonly waiting?: string;
}

interface EpochStart {
  readonly hlc: Hlc;
  readonly author: AuthorId;
}

/** The keyring; see the file header. */
export class Keyring {
  /** Undefined until the genesis is seen (invariant 1). */
  encrypted: boolean | undefined = undefined;
  private readonly held = new Map<string, Uint8Array>();
  private readonly starts = new Map<string, EpochStart>();
  private readonly wrapped = new Map<string, Set<AuthorId>>();
  private readonly opaque = new Map<string, SignedChange[]>();

  /**
   * @param me this replica's author id
   * @param secret this identity's X25519 secret, or undefined when it cannot decrypt (a relay)
   */
  constructor(
    readonly me: AuthorId,
    private readonly secret: Uint8Array | undefined,
    private readonly maxOps: number,
  ) {}

  /** Learns the keys wrapped for this identity in `sc` (invariant 3); returns epochs newly held. */
  learnKeys(sc: SignedChange): string[] {
    const { keys } = sealOpsOf(sc.change);
    if (sc.change.db === null) this.encrypted = keys.some((k) => k.n);
    if (this.secret === undefined || keys.length === 0) return [];
    const me = fromHex(this.me);
    const newly: string[] = [];
    for (const op of keys) {
      const id = toHex(op.e);
      if (this.held.has(id)) continue;
      const mine = op.w.find(([m]) => toHex(m) === this.me);
      const key = mine === undefined ? undefined : unwrapKey(mine[1], op.e, me, this.secret);
      if (key === undefined) continue;
      this.held.set(id, key);
      newly.push(id);
    }
    return newly;
  }

  /** Records who `sc`'s keys ops wrap for and the epochs it starts; call for applied changes (invariant 5). */
  noteApplied(sc: SignedChange): void {
    for (const op of sealOpsOf(sc.change).keys) {
      const id = toHex(op.e);
      if (op.n && !this.starts.has(id)) this.starts.set(id, { hlc: sc.change.hlc, author: sc.change.author });
      let set = this.wrapped.get(id);
      if (set === undefined) this.wrapped.set(id, (set = new Set()));
      for (const [m] of op.w) set.add(toHex(m) as AuthorId);
    }
  }

  /** Opens `sc` into its view (invariants 2 and 4). Never throws for bad content: see `error`. */
  open(sc: SignedChange): Opened {
    const { clear, keys, enc } = sealOpsOf(sc.change);
    const view = (ops: Change['ops']): SignedChange =>
      ops === sc.change.ops ? sc : { ...sc, change: { ...sc.change, ops } };
    if (this.encrypted !== true) {
      const error =
        keys.length > 0 || enc !== undefined
          ? { code: 'E_ENCRYPTION' as const, message: 'keys or enc op in a database without encryption' }
          : null;
      return { sc: view(clear), error };
    }
    if (clear.some((op) => op.k !== 'genesis'))
      return { sc: view(clear), error: { code: 'E_ENCRYPTION', message: 'clear content in an encrypted database' } };
    if (enc === undefined) return { sc: view(clear), error: null };
    const id = toHex(enc.e);
    const key = this.held.get(id);
    if (key === undefined) {
      let list = this.opaque.get(id);
      if (list === undefined) this.opaque.set(id, (list = []));
      list.push(sc);
      return { sc: view(clear), error: null, waiting: id };
    }
    try {
      const ops = openOps(enc, sc.change, key, this.maxOps);
      return { sc: view([...clear, ...ops]), error: null };
    } catch (err) {
      if (!(err instanceof WeftError)) throw err;
      return { sc: view(clear), error: { code: err.code, message: err.message } };
    }
  }

  /** The opaque changes waiting for `epoch`, in the order they were stored; forgets them. */
  takeWaiting(epoch: string): SignedChange[] {
    const list = this.opaque.get(epoch) ?? [];
    this.opaque.delete(epoch);
    return list;
  }

  /** True when this identity holds a key of `epoch` (hex). */
  holds(epoch: string): boolean {
    return this.held.has(epoch);
  }

  /** The key of a held epoch; throws `E_KEY` when not held. */
  keyOf(epoch: string): Uint8Array {
    const key = this.held.get(epoch);
    if (key === undefined) throw new WeftError('E_KEY', `no key of epoch ${epoch}`);
    return key;
  }

  /** Epochs this identity holds, hex. */
  heldEpochs(): string[] {
    return [...this.held.keys()];
  }

  /** Members `epoch` is wrapped for in applied changes. */
  membersOf(epoch: string): ReadonlySet<AuthorId> {
    return this.wrapped.get(epoch) ?? new Set();
  }

  /**
   * The epoch new writes use: of the started epochs this identity holds, the one whose starting
   * change is newest by (hlc, author, epoch id). Undefined when it holds none.
   */
  current(): string | undefined {
    let best: { id: string; s: EpochStart } | undefined;
    for (const [id, s] of this.starts) {
      if (!this.held.has(id)) continue;
      if (best === undefined) best = { id, s };
      else {
        const c = compareHlc(s.hlc, best.s.hlc) || cmp(s.author, best.s.author) || cmp(id, best.id);
        if (c > 0) best = { id, s };
      }
    }
    return best?.id;
  }

  /**
   * Seals local content: `[...keys, enc]` for an encrypted database, `ops` unchanged otherwise.
   * Throws `E_KEY` when the database is encrypted and this identity holds no epoch key.
   */
  seal(ops: readonly DocOp[], env: Envelope, random: (n: number) => Uint8Array, keys: readonly KeysOp[] = []): Op[] {
    if (this.encrypted !== true) {
      if (keys.length > 0) throw new WeftError('E_INVALID_ARGUMENT', 'this database is not encrypted');
      return [...ops];
    }
    const started = keys.find((k) => k.n);
    const epoch = started?.e ?? fromHexOrThrow(this.current());
    const key = started === undefined ? this.held.get(toHex(epoch)) : this.starting.get(toHex(started.e));
    if (key === undefined) throw new WeftError('E_KEY', 'no key for the epoch being started');
    // Once signed, the change's own wrap for this identity gives the key (learnKeys).
    this.starting.clear();
    const sealed = (ops.length > 0 ? [sealOps(ops, env, epoch, key, random)] : []) as unknown as Op[];
    return [...(keys as unknown as Op[]), ...sealed];
  }

  /** Keys of epochs this replica is starting, until {@link seal} uses them. */
  private readonly starting = new Map<string, Uint8Array>();

  /**
   * A keys op starting a new epoch, wrapped for `members` and, unless `self` is false, this
   * identity. The key is kept until {@link seal}, so the same change's content can use it.
   */
  startEpoch(members: Iterable<string>, random: (n: number) => Uint8Array, self = true): KeysOp {
    const key = random(32);
    const e = epochIdOf(key);
    this.starting.set(toHex(e), key);
    const all = new Set(members);
    if (self) all.add(this.me);
    else all.delete(this.me);
    if (all.size === 0) throw new WeftError('E_INVALID_ARGUMENT', 'a new epoch needs at least one member');
    return { k: 'keys', e, n: true, w: wrapAll(key, all, random) };
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fromHexOrThrow(id: string | undefined): Uint8Array {
  if (id === undefined) throw new WeftError('E_KEY', 'this identity holds no key of this encrypted database');
  return fromHex(id);
}

function wrapAll(key: Uint8Array, members: Set<string>, random: (n: number) => Uint8Array): KeysOp['w'] {
  return [...members].sort().map((m) => [fromHex(m), wrapKey(key, fromHex(m), random)] as const);
}
