/**
 * The Replica: one user's copy of one database — a signed change log, the documents derived
 * from it, and sync with peers. Open one with `createReplica` (open-replica.ts).
 */
import { WeftError } from '../errors.ts';
import { randomBytes } from '../host.ts';
import type { ChangeHash, DbId } from '../ids.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { type Change, type ChangeLimits, type SignedChange } from '../change/change.ts';
import { parseChange, prepareChange, signChange, signPrepared, verifyChange } from '../change/sign.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';
import type { EquivocationProof, LogEntry, VersionVector } from '../log/change-log.ts';
import { docKey, type DocState } from '../crdt/doc-state.ts';
import type { ReplicaCore } from './core.ts';
import { type IngestResult } from './core.ts';
import { Transaction } from './transaction.ts';
import type { CommitListener } from './effects.ts';
import type { CommitExtension } from './extension.ts';
import { SequenceEditing, type ListHandle, type TextHandle } from './sequence-editing.ts';
import { SEQ_ID_SPACE } from './materializer.ts';
import { Mutex, Semaphore } from './concurrency.ts';
import { SyncSession, type SyncOptions } from '../sync/session.ts';
import type { Transport } from '../sync/transport.ts';
import { queriesOf } from '../query/replica-queries.ts';
import type { QueryBuilder } from '../query/query-builder.ts';
import type { Query } from '../query/query-spec.ts';
import type { LiveDiff } from '../query/live-query.ts';
import { closeEventLog, openEventStream } from '../events/replica-events.ts';
import type { EventStream, EventsOptions } from '../events/event-stream.ts';
import { loadCore } from './open-replica.ts';
import type { DocValue, IngestInput, PreparedBatch, ReplicaOptions } from './replica-options.ts';
import { keysOpsFor, type KeyChangeOptions } from '../encryption/replica-keys.ts';
import type { DocOp } from '../change/op.ts';

export { createReplica } from './open-replica.ts';
export type { DocValue, IngestInput, PreparedBatch, ReplicaOptions } from './replica-options.ts';

/** Most edit bursts signed and committed as one batch. */
const BURST_BATCH = 1000;

/** A replica of one database. Create with {@link createReplica}. */
export class Replica {
  private core: ReplicaCore;
  private readonly mutex = new Mutex();
  private readonly editing: SequenceEditing;
  /** One limit on signature checks in flight for the whole replica, so concurrent ingests pipeline. */
  private readonly verifySlots: Semaphore;
  private readonly sessions = new Set<SyncSession>();
  private closed = false;

  /** @internal use {@link createReplica} */
  constructor(
    private readonly options: ReplicaOptions,
    readonly identity: Identity,
    readonly dbId: DbId,
    private readonly port: Ed25519Port,
    private readonly limits: ChangeLimits,
    core: ReplicaCore,
  ) {
    this.core = core;
    this.verifySlots = new Semaphore(options.verifyConcurrency ?? 64);
    this.editing = new SequenceEditing(
      identity.author,
      () => this.core.state,
      () => this.core.log.maxSeq(identity.author) + 1,
      () => void this.mutex.run(() => this.commitBurstLocked()).catch(() => undefined),
      options.editing,
    );
    core.beforeRemoteCommit = () => this.commitBurstLocked();
    core.unsignedEdits = (key, field) => this.editing.hasUnsigned(key, field);
  }

  /** True when the database's content is end-to-end encrypted (known once its genesis is stored). */
  get encrypted(): boolean {
    return this.core.keyring?.encrypted === true;
  }

  /** The author id of this replica's identity. */
  get author(): string {
    return this.identity.author;
  }

  private check(): void {
    if (this.closed) throw new WeftError('E_CLOSED', 'replica is closed');
  }

  private checkWritable(): void {
    this.check();
    if (this.options.storeOnly === true)
      throw new WeftError('E_INVALID_ARGUMENT', 'a store-only replica keeps no document state and cannot write');
  }

  /**
   * Makes one signed change from everything `fn` records, however many docs it touches, and
   * commits it. Resolves with the change hash once it is durably stored. In an encrypted database
   * the content is sealed with the current epoch key, and `keys` can share keys or rotate the
   * epoch in the same change (e.g. with the membership it grants or revokes).
   */
  async change(fn: (tx: Transaction) => void, keys?: KeyChangeOptions): Promise<ChangeHash> {
    this.checkWritable();
    return this.mutex.run(async () => {
      await this.commitBurstLocked();
      const core = this.core;
      const seq = core.log.maxSeq(this.identity.author) + 1;
      let counter = seq * SEQ_ID_SPACE;
      const tx = new Transaction({
        docState: (c, d) => core.state.docs.get(docKey(c, d)),
        random: this.options.random ?? randomBytes,
        sequence: (c, d, field, kind) => this.editing.live(c, d, field, kind),
        allocate: (n) => {
          const start = counter;
          counter += n;
          return start;
        },
        author: this.identity.author,
      });
      try {
        fn(tx);
        if (tx.ops.length === 0) throw new WeftError('E_INVALID_ARGUMENT', 'a change needs at least one op');
        const ctx = { dbId: this.dbId, log: core.log, state: core.state, preApplied: tx.editedSequences };
        const verdict = core.validator?.checkLocal(tx.ops, ctx, this.author) ?? null;
        if (verdict !== null) throw new WeftError(verdict.code, verdict.message);
        return await this.signAndCommit(seq, tx.ops, tx.editedSequences, keys);
      } catch (err) {
        // Text and list edits change the live sequences as they are recorded; undo them.
        if (tx.editedSequences) await this.reload();
        throw err;
      }
    });
  }

  /**
   * Wraps this database's epoch keys for `authors` (new members, an invite key) in a change of
   * its own. Resolves with its hash, or undefined when they already hold every key this identity has.
   */
  async shareKey(authors: readonly string[]): Promise<ChangeHash | undefined> {
    return this.keysChange({ shareKey: authors });
  }

  /**
   * Starts a new epoch wrapped for every current member except `exclude`, so they cannot read
   * what is written after it. Prefer `change(fn, { rotateKey })` to revoke in the same change.
   */
  async rotateKey(exclude: readonly string[]): Promise<ChangeHash> {
    return (await this.keysChange({ rotateKey: { exclude } }))!;
  }

  /** A change of key distribution alone (see {@link KeyChangeOptions}); undefined when there is nothing to do. */
  async keysChange(keys: KeyChangeOptions): Promise<ChangeHash | undefined> {
    this.checkWritable();
    return this.mutex.run(async () => {
      await this.commitBurstLocked();
      const seq = this.core.log.maxSeq(this.identity.author) + 1;
      const ops = keysOpsFor(this.core.keyring, keys, this.options.random ?? randomBytes);
      if (ops.length === 0) return undefined;
      return this.signAndCommit(seq, [], false, undefined, ops as unknown as Change['ops']);
    });
  }

  /**
   * Signs `ops` as this author's change `seq` and commits it (inside the commit section), sealed
   * first in an encrypted database; `sealed` is an already built keys-only op list.
   */
  private async signAndCommit(
    seq: number,
    plain: Change['ops'],
    preApplied: boolean,
    keys?: KeyChangeOptions,
    sealed?: Change['ops'],
  ): Promise<ChangeHash> {
    const core = this.core;
    const random = this.options.random ?? randomBytes;
    const env = { db: this.dbId, author: this.identity.author, seq };
    const ops =
      sealed ??
      core.keyring?.seal(plain as readonly DocOp[], env, random, keysOpsFor(core.keyring, keys, random)) ??
      plain;
    // deps = the heads we have seen plus our own previous change, even when a later change
    // already covers it: the chain rule (ingest step 5) checks it directly.
    const deps = new Set(core.log.heads);
    const prev = core.log.hashAt(this.identity.author, seq - 1);
    if (prev !== undefined) deps.add(prev);
    const change: Change = {
      v: 1,
      db: this.dbId,
      author: this.identity.author,
      seq,
      deps: [...deps].sort(),
      hlc: core.clock.now(),
      schema: core.validator?.schemaHash ?? null,
      ops,
    };
    const sc = await signChange(this.identity, change);
    if (sc.bytes.length > this.limits.maxBytes)
      throw new WeftError('E_TOO_LARGE', `change of ${sc.bytes.length} bytes exceeds ${this.limits.maxBytes}`);
    const [result] = await core.commit([sc], true, undefined, preApplied ? new Set([sc.hash]) : undefined);
    if (result!.status !== 'applied')
      throw new WeftError(result!.code ?? 'E_INTERNAL', result!.message ?? 'local change not applied');
    return sc.hash;
  }

  /**
   * Commits the pending edit bursts, if any, each as one change (sequence-editing.ts,
   * invariant 1): up to {@link BURST_BATCH} at a time, signed concurrently and committed as one
   * batch.
   */
  private async commitBurstLocked(): Promise<void> {
    const bursts = this.editing.take();
    if (bursts.length === 0) return;
    try {
      for (let i = 0; i < bursts.length; i += BURST_BATCH) await this.commitBursts(bursts.slice(i, i + BURST_BATCH));
    } catch (err) {
      await this.reload();
      throw err;
    } finally {
      this.editing.settled();
    }
  }

  /**
   * Signs consecutive bursts as consecutive changes of this author and commits them in one
   * batch. Each change names the one before it (its own previous seq and the only head after
   * it), and a hash is known before its signature, so the bodies are built in order and the
   * signatures then made concurrently: signing costs one round trip, not one per burst.
   */
  private async commitBursts(bursts: readonly { seq: number; ops: Change['ops'] }[]): Promise<void> {
    const core = this.core;
    const author = this.identity.author;
    let heads: Iterable<ChangeHash> = core.log.heads;
    let prev = core.log.hashAt(author, bursts[0]!.seq - 1);
    const random = this.options.random ?? randomBytes;
    const sealBurst = (burst: { seq: number; ops: Change['ops'] }): Change['ops'] =>
      core.keyring?.seal(burst.ops as readonly DocOp[], { db: this.dbId, author, seq: burst.seq }, random) ?? burst.ops;
    const unsigned = bursts.map((burst) => {
      const deps = new Set(heads);
      if (prev !== undefined) deps.add(prev);
      const u = prepareChange(this.identity, {
        v: 1,
        db: this.dbId,
        author,
        seq: burst.seq,
        deps: [...deps].sort(),
        hlc: core.clock.now(),
        schema: core.validator?.schemaHash ?? null,
        ops: sealBurst(burst),
      });
      prev = u.hash;
      heads = [u.hash];
      return u;
    });
    const signed = await Promise.all(unsigned.map((u) => signPrepared(this.identity, u)));
    // The bursts before one that is too large are still committed, as when signed one by one.
    const tooLarge = signed.findIndex((sc) => sc.bytes.length > this.limits.maxBytes);
    const ok = tooLarge < 0 ? signed : signed.slice(0, tooLarge);
    if (ok.length > 0) {
      this.editing.committing(ok[ok.length - 1]!.change.seq);
      const results = await core.commit(ok, true, undefined, new Set(ok.map((sc) => sc.hash)));
      for (const r of results)
        if (r.status !== 'applied')
          throw new WeftError(r.code ?? 'E_INTERNAL', r.message ?? 'local change not applied');
    }
    if (tooLarge >= 0) {
      const n = signed[tooLarge]!.bytes.length;
      throw new WeftError('E_TOO_LARGE', `change of ${n} bytes exceeds ${this.limits.maxBytes}`);
    }
  }

  /**
   * A live handle on a `text` field: edits apply at once and are folded into one signed change
   * per burst (250 ms or 1,000 edits by default), so signing never sits on the typing path.
   */
  editText(collection: string, id: string, field: string): TextHandle {
    this.checkWritable();
    return this.editing.text(collection, id, field);
  }

  /** A live handle on a `list` field (insert, delete, move), folded like {@link editText}. */
  editList<T extends CanonicalValue = CanonicalValue>(collection: string, id: string, field: string): ListHandle<T> {
    this.checkWritable();
    return this.editing.list<T>(collection, id, field);
  }

  /** Signs and commits pending text/list edits now instead of at the end of the burst. */
  async flush(): Promise<void> {
    this.check();
    await this.mutex.run(() => this.commitBurstLocked());
  }

  /**
   * Ingests one change from another replica (DESIGN §3, steps 1-10). Resolves with its status
   * (`applied`, `pending` or `duplicate`); rejects with a WeftError naming why it was refused
   * or, for a stored but invalid change, why it was rejected.
   */
  async ingest(bytes: Uint8Array, expectedHash?: ChangeHash): Promise<IngestResult> {
    const [r] = await this.ingestMany([expectedHash === undefined ? bytes : { bytes, hash: expectedHash }]);
    if (r!.status === 'invalid' || r!.status === 'rejected')
      throw new WeftError(r!.code ?? 'E_INTERNAL', r!.message ?? 'change refused', { hash: r!.hash });
    return r!;
  }

  /**
   * Ingests a batch; never throws for bad changes, reporting each in its result instead.
   * `origin` is passed through to commit listeners (a sync session uses it to avoid echoes).
   */
  async ingestMany(inputs: readonly IngestInput[], origin?: unknown): Promise<IngestResult[]> {
    return this.commitPrepared(this.prepareIngest(inputs), origin);
  }

  /**
   * Ingest steps 1-4 for a batch: parse, check the database, verify signatures (concurrently,
   * outside the commit section). Start it as soon as bytes arrive; commit the results in order
   * with {@link commitPrepared}, so verifying the next batch overlaps committing this one.
   */
  prepareIngest(inputs: readonly IngestInput[]): Promise<PreparedBatch> {
    this.check();
    const results: (IngestResult | undefined)[] = new Array<IngestResult | undefined>(inputs.length);
    const parsed: { i: number; sc: SignedChange }[] = [];
    inputs.forEach((input, i) => {
      const bytes = input instanceof Uint8Array ? input : input.bytes;
      const hash = input instanceof Uint8Array ? undefined : input.hash;
      try {
        const sc = parseChange(bytes, this.limits, hash);
        // A change of another database is refused before anything else, parking included.
        const db = sc.change.db;
        if (db === null ? (sc.hash as string) !== this.dbId : db !== this.dbId)
          throw new WeftError('E_WRONG_DB', 'change belongs to another database');
        if (this.core.log.has(sc.hash) || this.core.pending.has(sc.hash))
          results[i] = { status: 'duplicate', hash: sc.hash };
        else parsed.push({ i, sc });
      } catch (err) {
        const e = err instanceof WeftError ? err : new WeftError('E_DECODE', String(err));
        results[i] = { status: 'invalid', code: e.code, message: e.message };
      }
    });
    // Step 4 runs before the commit section: an await on WebCrypto inside a storage
    // transaction would auto-commit it (IndexedDB), and verifying in parallel is the hot path.
    return Promise.all(parsed.map((p) => this.verifySlots.run(() => verifyChange(this.port, p.sc)))).then((ok) => {
      const verified: { i: number; sc: SignedChange }[] = [];
      parsed.forEach((p, k) => {
        if (ok[k]) verified.push(p);
        else results[p.i] = { status: 'invalid', hash: p.sc.hash, code: 'E_SIGNATURE', message: 'bad signature' };
      });
      return { results, verified };
    });
  }

  /** Ingest steps 5-10 for a prepared batch. */
  async commitPrepared(prepared: Promise<PreparedBatch> | PreparedBatch, origin?: unknown): Promise<IngestResult[]> {
    const { results, verified } = await prepared;
    if (verified.length > 0) {
      const committed = await this.mutex.run(() =>
        this.core.commit(
          verified.map((p) => p.sc),
          false,
          origin,
        ),
      );
      verified.forEach((p, k) => (results[p.i] = committed[k]));
    }
    return results as IngestResult[];
  }

  /** A document's visible value, or undefined when it doesn't exist or is deleted. */
  get(collection: string, id: string): DocValue | undefined {
    const v = this.core.state.get(collection, id);
    return v === undefined ? undefined : ({ ...v, id } as DocValue);
  }

  /** Every visible document of a collection, sorted by id. */
  list(collection: string): DocValue[] {
    return this.core.state.list(collection).map(({ id, value }) => ({ ...value, id }) as DocValue);
  }

  /** A document's raw CRDT state (for inspection and field helpers). */
  docState(collection: string, id: string): DocState | undefined {
    return this.core.state.docs.get(docKey(collection, id));
  }

  /** Canonical hash of the visible state; equal on replicas with the same valid changes. */
  stateHash(): string {
    return this.core.state.stateHash();
  }

  /** Current heads of the DAG, sorted. */
  heads(): ChangeHash[] {
    return [...this.core.log.heads].sort();
  }

  /** author → highest stored seq. */
  versionVector(): VersionVector {
    return this.core.log.versionVector();
  }

  /** Every stored change (valid or rejected) in topological order. */
  changes(): readonly LogEntry[] {
    return this.core.log.topological();
  }

  /** One stored change. */
  getChange(hash: ChangeHash): LogEntry | undefined {
    return this.core.log.get(hash);
  }

  /** Proofs of authors who signed two changes with the same seq. */
  equivocations(): EquivocationProof[] {
    return this.core.log.equivocations();
  }

  /** Hashes parked changes wait for. */
  missingDeps(): ChangeHash[] {
    return this.core.pending.missing();
  }

  /** Number of parked changes. */
  get pendingCount(): number {
    return this.core.pending.size;
  }

  /** Subscribes to committed batches; returns the unsubscribe function. */
  onCommit(listener: CommitListener): () => void {
    const listeners = this.core.listeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** @internal the commit core (sync and inspection). */
  get internals(): ReplicaCore {
    return this.core;
  }

  /**
   * Starts syncing with a peer over `transport`. The session runs until either side closes;
   * it resumes from what the peer has whenever a new session starts.
   */
  sync(transport: Transport, options?: SyncOptions): SyncSession {
    this.check();
    const session = new SyncSession(this, transport, options);
    this.sessions.add(session);
    session.closed.then(() => this.sessions.delete(session));
    return session;
  }

  /** Closes every sync session and the storage. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeEventLog(this);
    for (const s of this.sessions) s.close();
    await this.mutex.run(() => this.core.storage.close());
  }

  /**
   * Adds a commit extension (indexes, event log): it loads its state from storage now and
   * then sees every batch before it is written.
   */
  async use(extension: CommitExtension): Promise<void> {
    this.check();
    await this.mutex.run(async () => {
      await extension.load?.(this.core.storage, this.core.state);
      this.core.extensions.push(extension);
    });
  }

  /** @internal swaps in a core freshly loaded from storage (after a failed write). */
  async reload(): Promise<void> {
    const next = await loadCore(this.options, this.dbId);
    for (const l of this.core.listeners) next.listeners.add(l);
    for (const ext of this.core.extensions) {
      await ext.load?.(next.storage, next.state);
      next.extensions.push(ext);
    }
    next.reload = () => this.reload();
    next.beforeRemoteCommit = () => this.commitBurstLocked();
    next.unsignedEdits = (key, field) => this.editing.hasUnsigned(key, field);
    this.core = next;
  }

  /**
   * The event stream (DESIGN §6): an async iterable of effects, each with a resumable
   * checkpoint; see events/event-stream.ts for the exactly-once contract.
   */
  events(options?: EventsOptions): EventStream {
    this.check();
    return openEventStream(this, options);
  }

  // ---- Queries and live queries (query/replica-queries.ts) ----

  /** Starts a query: `query('todos').where('done', '==', false).orderBy('order').run()`. */
  query(collection: string): QueryBuilder {
    return queriesOf(this).query(collection);
  }

  /**
   * A live query: `onDiff` gets the initial result at once, then a diff after each committed
   * batch that changes it. Returns the unsubscribe function.
   */
  subscribe(query: Query | QueryBuilder, onDiff: (diff: LiveDiff) => void): () => void {
    this.check();
    return queriesOf(this).subscribe(query, onDiff);
  }
}
