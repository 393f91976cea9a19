/**
 * `createReplica`: the engine's public entry point. One replica is one user's copy of one
 * database: a signed change log, the documents derived from it, and sync with peers.
 */
import { WeftError } from '../errors.ts';
import { randomBytes } from '../host.ts';
import type { ChangeHash, DbId, DocId } from '../ids.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { DEFAULT_MAX_DRIFT_MS, HlcClock, type WallClock } from '../clock/hlc.ts';
import { DEFAULT_CHANGE_LIMITS, type Change, type ChangeLimits, type SignedChange } from '../change/change.ts';
import { createGenesis, parseChange, signChange, verifyChange } from '../change/sign.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import type { Identity } from '../crypto/identity.ts';
import { defaultEd25519 } from '../crypto/identity.ts';
import { DEFAULT_PENDING_LIMITS, PendingBuffer, type PendingLimits } from '../log/pending-buffer.ts';
import type { EquivocationProof, LogEntry, VersionVector } from '../log/change-log.ts';
import type { StorageAdapter } from '../storage/storage-port.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import { docKey, type DocState, type SequenceHooks } from '../crdt/doc-state.ts';
import { ReplicaCore, type IngestResult } from './core.ts';
import { Transaction } from './transaction.ts';
import { decodeChangeRecord, loadDocs, metaKey, putMeta } from './replica-store.ts';
import { decode } from '../encoding/canonical.ts';
import type { CommitListener } from './effects.ts';
import type { ChangeValidator } from './validator.ts';
import type { CommitExtension } from './extension.ts';
import type { Schema } from '../schema/schema.ts';
import { schemaValidator } from '../schema/schema-validator.ts';
import { sequenceHooks } from './sequence-hooks.ts';
import { SequenceEditing, type EditingOptions, type ListHandle, type TextHandle } from './sequence-editing.ts';
import { SEQ_ID_SPACE } from './materializer.ts';
import { Mutex, Semaphore } from './concurrency.ts';
import { SyncSession, type SyncOptions } from '../sync/session.ts';
import type { Transport } from '../sync/transport.ts';
import { queriesOf, setupQueries } from '../query/replica-queries.ts';
import type { QueryBuilder } from '../query/query-builder.ts';
import type { Query } from '../query/query-spec.ts';
import type { LiveDiff } from '../query/live-query.ts';
import type { IndexDefinition } from '../query/sorted-index.ts';
import { attachEventLog, closeEventLog, openEventStream } from '../events/replica-events.ts';
import type { EventLogOptions } from '../events/event-log.ts';
import type { EventStream, EventsOptions } from '../events/event-stream.ts';
import { loadSnapshotBase } from '../snapshot/snapshot-store.ts';
import { bootstrapReplicaStorage } from '../snapshot/bootstrap.ts';
import type { SnapshotTrust } from '../snapshot/verify-snapshot.ts';

/** Options for {@link createReplica}. */
export interface ReplicaOptions {
  /** The local user's signing identity. */
  readonly identity: Identity;
  /** Where the replica persists; defaults to memory. */
  readonly storage?: StorageAdapter;
  /** Open or join this database. Omit with `create` to make a new one. */
  readonly db?: DbId;
  /** Create a new database (this identity becomes its root of authority). */
  readonly create?: { readonly name: string };
  /** Ed25519 implementation; defaults to WebCrypto with the @noble/curves fallback. */
  readonly ed25519?: Ed25519Port;
  /** Wall clock for the HLC (tests inject one). */
  readonly wallClock?: WallClock;
  /** Remote HLCs further ahead than this are clamped (default 24 h). */
  readonly maxDriftMs?: number;
  readonly limits?: Partial<ChangeLimits>;
  readonly pendingLimits?: Partial<PendingLimits>;
  /** Sequence CRDT hooks for text and list fields. */
  readonly sequence?: SequenceHooks;
  /** Schema and permission checks (ingest steps 7-8). */
  readonly validator?: ChangeValidator;
  /** Storage durability for commits (default strict: commits may be acknowledged to peers). */
  readonly durability?: 'strict' | 'relaxed';
  /** Signature checks in flight at once during ingest. */
  readonly verifyConcurrency?: number;
  /** Burst folding for text and list edits. */
  readonly editing?: EditingOptions;
  /** Randomness port (genesis nonce, new doc ids); defaults to crypto.getRandomValues. */
  readonly random?: (n: number) => Uint8Array;
  /** Secondary indexes (until the schema declares them): maintained per batch, persisted. */
  readonly indexes?: readonly IndexDefinition[];
  /**
   * The schema: validation, permission rules and indexes, enforced on every change (its
   * validator and index definitions are used unless `validator`/`indexes` are given).
   */
  readonly schema?: Schema;
  /** The persisted effect log behind {@link Replica.events} (retention). */
  readonly events?: EventLogOptions;
  /** On empty storage, start from this signed snapshot plus later changes (snapshot/bootstrap.ts). */
  readonly snapshot?: Uint8Array;
  /** Whose snapshots to believe; default the creator of `db` (snapshot/verify-snapshot.ts). */
  readonly snapshotTrust?: SnapshotTrust;
}

/** A document as returned by reads: its id plus its visible fields. */
export type DocValue = { readonly id: DocId } & { readonly [field: string]: CanonicalValue };

/** One input to {@link Replica.ingestMany}: wire bytes, optionally with the hash they must have. */
export type IngestInput = Uint8Array | { readonly bytes: Uint8Array; readonly hash?: ChangeHash };

/** A batch after ingest steps 1-4, ready to commit. */
export interface PreparedBatch {
  readonly results: (IngestResult | undefined)[];
  readonly verified: readonly { readonly i: number; readonly sc: SignedChange }[];
}

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
  }

  /** The author id of this replica's identity. */
  get author(): string {
    return this.identity.author;
  }

  private check(): void {
    if (this.closed) throw new WeftError('E_CLOSED', 'replica is closed');
  }

  /**
   * Makes one signed change from everything `fn` records, however many docs it touches, and
   * commits it. Resolves with the change hash once it is durably stored.
   */
  async change(fn: (tx: Transaction) => void): Promise<ChangeHash> {
    this.check();
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
        return await this.signAndCommit(seq, tx.ops, tx.editedSequences);
      } catch (err) {
        // Text and list edits change the live sequences as they are recorded; undo them.
        if (tx.editedSequences) await this.reload();
        throw err;
      }
    });
  }

  /** Signs `ops` as this author's change `seq` and commits it (inside the commit section). */
  private async signAndCommit(seq: number, ops: Change['ops'], preApplied: boolean): Promise<ChangeHash> {
    const core = this.core;
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

  /** Commits the pending edit burst, if any, as one change (sequence-editing.ts, invariant 1). */
  private async commitBurstLocked(): Promise<void> {
    const bursts = this.editing.take();
    try {
      for (const burst of bursts) await this.signAndCommit(burst.seq, burst.ops, true);
    } catch (err) {
      await this.reload();
      throw err;
    }
  }

  /**
   * A live handle on a `text` field: edits apply at once and are folded into one signed change
   * per burst (250 ms or 1,000 edits by default), so signing never sits on the typing path.
   */
  editText(collection: string, id: string, field: string): TextHandle {
    this.check();
    return this.editing.text(collection, id, field);
  }

  /** A live handle on a `list` field (insert, delete, move), folded like {@link editText}. */
  editList<T extends CanonicalValue = CanonicalValue>(collection: string, id: string, field: string): ListHandle<T> {
    this.check();
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

/** Fills `validator` and `indexes` from `schema` when the caller didn't give them. */
function withSchema(options: ReplicaOptions): ReplicaOptions {
  const { schema } = options;
  if (schema === undefined) return options;
  return {
    ...options,
    validator: options.validator ?? schemaValidator(schema),
    indexes: options.indexes ?? schema.indexDefinitions(),
  };
}

function makeCore(options: ReplicaOptions, dbId: DbId, storage: StorageAdapter): ReplicaCore {
  const clock = new HlcClock(options.wallClock ?? (() => Date.now()), options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS);
  const pending = new PendingBuffer({ ...DEFAULT_PENDING_LIMITS, ...options.pendingLimits });
  return new ReplicaCore(
    dbId,
    storage,
    clock,
    pending,
    options.validator,
    options.sequence ?? sequenceHooks,
    options.durability ?? 'strict',
  );
}

async function loadCore(options: ReplicaOptions, dbId: DbId): Promise<ReplicaCore> {
  const storage = options.storage!;
  const core = makeCore(options, dbId, storage);
  const limits = { ...DEFAULT_CHANGE_LIMITS, ...options.limits };
  // Covered changes first, as DAG stubs: stored records may depend on them.
  await loadSnapshotBase(storage, core);
  const records = (await storage.scan('changes')).map((e) => decodeChangeRecord(e.value));
  records.sort((a, b) => a.order - b.order);
  for (const r of records) {
    // Local storage is trusted: parse without re-verifying signatures, and don't re-apply ops.
    const sc = parseChange(r.bytes, limits);
    core.log.add(sc, r.status, r.reason, r.order);
    core.state.index(sc);
    if (r.status === 'applied') core.clock.observe(sc.change.hlc);
  }
  for (const doc of await loadDocs(storage, options.sequence ?? sequenceHooks))
    core.state.docs.set(docKey(doc.c, doc.d), doc);
  const clockRaw = await storage.get('meta', metaKey('clock'));
  if (clockRaw !== undefined) {
    const [ms, c] = decode(clockRaw) as [number, number];
    core.clock.observe({ ms, c });
  }
  return core;
}

/**
 * Opens a replica: reopens the database found in `storage`, joins `db` (empty until synced), or
 * creates a new database when `create` is given.
 */
export async function createReplica(input: ReplicaOptions): Promise<Replica> {
  const options = withSchema(input);
  const storage = options.storage ?? createMemoryStorage();
  const opts: ReplicaOptions = { ...options, storage };
  const port = options.ed25519 ?? (await defaultEd25519());
  const limits = { ...DEFAULT_CHANGE_LIMITS, ...options.limits };
  let storedDb = await storage.get('meta', metaKey('db'));
  if (storedDb === undefined && options.snapshot !== undefined)
    storedDb = await bootstrapReplicaStorage(storage, { ...options, snapshot: options.snapshot }, port);
  let dbId: DbId;
  if (storedDb !== undefined) {
    dbId = decode(storedDb) as DbId;
    if (options.db !== undefined && options.db !== dbId)
      throw new WeftError('E_WRONG_DB', `storage holds database ${dbId}, not ${options.db}`);
    const core = await loadCore(opts, dbId);
    const replica = new Replica(opts, options.identity, dbId, port, limits, core);
    core.reload = () => replica.reload();
    await setupQueries(replica, options.indexes);
    await attachEventLog(replica, options.events);
    return replica;
  }
  if (options.db !== undefined) {
    dbId = options.db;
    await storage.write([putMeta('db', dbId)]);
    const core = makeCore(opts, dbId, storage);
    const replica = new Replica(opts, options.identity, dbId, port, limits, core);
    core.reload = () => replica.reload();
    await setupQueries(replica, options.indexes);
    await attachEventLog(replica, options.events);
    return replica;
  }
  if (options.create === undefined)
    throw new WeftError('E_INVALID_ARGUMENT', 'createReplica needs `db` to open or join, or `create`');
  const clock = new HlcClock(options.wallClock ?? (() => Date.now()), options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS);
  const { dbId: newId, genesis } = await createGenesis(options.identity, {
    name: options.create.name,
    hlc: clock.now(),
    nonce: (options.random ?? randomBytes)(16),
    schema: options.validator?.schemaHash ?? null,
  });
  await storage.write([putMeta('db', newId)]);
  const core = makeCore(opts, newId, storage);
  core.clock.observe(clock.latest);
  const replica = new Replica(opts, options.identity, newId, port, limits, core);
  core.reload = () => replica.reload();
  const [r] = await core.commit([genesis], true);
  if (r!.status !== 'applied') throw new WeftError(r!.code ?? 'E_INTERNAL', 'genesis not applied');
  await setupQueries(replica, options.indexes);
  await attachEventLog(replica, options.events);
  return replica;
}
