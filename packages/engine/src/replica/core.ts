/**
 * The replica's commit pipeline: steps 5-10 of ingest for changes that are parsed and verified.
 *
 * Invariants:
 *  1. A batch is committed with one storage write. If the write fails, the in-memory state is
 *     reloaded from storage, so nothing is ever half-applied.
 *  2. A change is stored only when its deps are stored; otherwise it is parked (step 6) and
 *     retried, in the same batch, as soon as its last dep is stored.
 *  3. Chain-invalid changes (step 5: seq gaps, missing own predecessor, wrong database) are never
 *     stored; semantically invalid ones (equivocation, rules) are stored with status `rejected`.
 *  4. Effects are emitted only after the write succeeds.
 *  5. Encrypted databases (encryption/keyring.ts): a change is opened right after its chain check,
 *     inside this synchronous section, because its key may arrive in an earlier change of the
 *     same batch. Everything after that (validator, materializer, log entry) sees the opened
 *     view; the stored and synced bytes stay ciphertext. When a change brings a key, the stored
 *     changes that waited for it are opened, judged and applied first, in the same batch.
 */
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { AuthorId, ChangeHash, DbId } from '../ids.ts';
import type { SignedChange } from '../change/change.ts';
import { ChangeLog } from '../log/change-log.ts';
import { leanChange } from '../log/lean-change.ts';
import type { PendingBuffer } from '../log/pending-buffer.ts';
import type { HlcClock } from '../clock/hlc.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import { Materializer, type TouchSet } from './materializer.ts';
import { putDocOps, putEntryOps, putMeta } from './replica-store.ts';
import type { BatchContext, CommitExtension } from './extension.ts';
import { checkSequenceRefs } from './sequence-hooks.ts';
import type { CommitEvent, CommitListener, Effect } from './effects.ts';
import type { ChangeValidator } from './validator.ts';
import { fromHex } from '../bytes.ts';
import type { Keyring } from '../encryption/keyring.ts';

/** What happened to one change given to ingest. */
export type IngestStatus = 'applied' | 'rejected' | 'pending' | 'duplicate' | 'invalid';

/** The outcome for one change. */
export interface IngestResult {
  readonly status: IngestStatus;
  readonly hash?: ChangeHash;
  readonly code?: WeftErrorCode;
  readonly message?: string;
}

/** The mutable heart of a replica. */
export class ReplicaCore {
  readonly log = new ChangeLog();
  readonly pending: PendingBuffer;
  readonly state: Materializer;
  readonly listeners = new Set<CommitListener>();
  readonly extensions: CommitExtension[] = [];

  constructor(
    readonly dbId: DbId,
    readonly storage: StorageAdapter,
    readonly clock: HlcClock,
    pending: PendingBuffer,
    readonly validator: ChangeValidator | undefined,
    seqHooks: Materializer['seqHooks'],
    readonly durability: 'strict' | 'relaxed',
    /** Store-and-forward: verify, chain and store, keep no document state (replica-options.ts). */
    readonly storeOnly = false,
  ) {
    this.pending = pending;
    this.state = new Materializer(this.log, seqHooks);
    if (validator?.translate !== undefined) this.state.translate = (sc) => validator.translate!(sc);
  }

  /** Step 5: the author chain. Returns an error code or null. Deps are all stored. */
  private chainError(sc: SignedChange): { code: WeftErrorCode; message: string } | null {
    const { author, seq, deps, db } = sc.change;
    if (db === null ? (sc.hash as string) !== this.dbId : db !== this.dbId)
      return { code: 'E_WRONG_DB', message: 'change belongs to another database' };
    let prev = false;
    for (const d of deps) {
      const dc = this.log.get(d)!.sc.change;
      if (dc.author !== author) continue;
      if (dc.seq === seq - 1) prev = true;
      else if (dc.seq >= seq) return { code: 'E_SEQ', message: `depends on its author's later change ${dc.seq}` };
    }
    if (seq > 1 && !prev)
      return { code: 'E_SEQ', message: `seq ${seq} does not follow the author's change ${seq - 1}` };
    return null;
  }

  /** The database's keyring; undefined for a store-only replica, which never opens content. */
  keyring: Keyring | undefined;

  /** Runs before a batch from elsewhere is committed (the replica flushes a pending edit burst). */
  beforeRemoteCommit: (() => Promise<void>) | undefined;

  /** True when a sequence field's live state holds unsigned local edits (replica-store.ts). */
  unsignedEdits: ((key: string, field: string) => boolean) | undefined;

  /**
   * Commits parsed, signature-checked changes. `results[i]` is filled for `items[i]`; parked
   * changes released by this batch are committed with it. Changes in `preApplied` are local edit
   * bursts whose sequence ops already changed the live state.
   */
  async commit(
    items: readonly SignedChange[],
    local: boolean,
    origin?: unknown,
    preApplied?: ReadonlySet<ChangeHash>,
  ): Promise<IngestResult[]> {
    if (!local) await this.beforeRemoteCommit?.();
    const results: IngestResult[] = [];
    const writes: WriteOp[] = [];
    const touched: TouchSet = new Map();
    const stored: ChangeHash[] = [];
    const effects: Effect[] = [];
    const queue: SignedChange[] = [];
    const kr = this.keyring;
    const process = (raw: SignedChange): IngestResult => {
      const { hash } = raw;
      let sc = raw;
      if (this.log.has(hash)) return { status: 'duplicate', hash };
      // A change written for a schema version this replica doesn't know waits for it.
      if (this.validator?.knowsSchema?.(sc.change.schema) === false) {
        this.pending.park(sc, [`schema:${sc.change.schema}` as ChangeHash]);
        return { status: 'pending', hash };
      }
      const missing = sc.change.deps.filter((d) => !this.log.has(d));
      if (missing.length > 0) {
        this.pending.park(sc, missing);
        return { status: 'pending', hash };
      }
      // Whether content must be encrypted is known only from the genesis: wait for it.
      if (kr !== undefined && kr.encrypted === undefined && sc.change.db !== null && !local) {
        this.pending.park(sc, [this.dbId as string as ChangeHash]);
        return { status: 'pending', hash };
      }
      const chainErr = this.chainError(sc);
      if (chainErr !== null) return { status: 'invalid', hash, ...chainErr };
      let sealError: { code: WeftErrorCode; message: string } | null = null;
      if (kr !== undefined) {
        // Stored changes this change's keys open come first: they are earlier in the log, and
        // its own content may build on theirs (a grant on a list created before the key came).
        for (const epoch of kr.learnKeys(raw)) for (const w of kr.takeWaiting(epoch)) openLate(w);
        const opened = kr.open(raw);
        sc = opened.sc;
        sealError = opened.error;
      }
      if (this.state.seqHooks !== undefined && sc.change.ops.some((op) => op.k === 'seq'))
        checkSequenceRefs(sc, this.log);
      const { author, seq } = sc.change;
      let verdict: { code: WeftErrorCode; message: string } | null = null;
      if (seq >= this.log.equivocatedAt(author)) verdict = { code: 'E_EQUIVOCATION', message: 'author equivocated' };
      else if (this.log.hashAt(author, seq) !== undefined)
        verdict = { code: 'E_EQUIVOCATION', message: `second change at seq ${seq}` };
      else if (sealError !== null) verdict = sealError;
      else if (this.validator !== undefined)
        verdict = this.validator.check(sc, {
          dbId: this.dbId,
          log: this.log,
          state: this.state,
          preApplied: preApplied?.has(hash) ?? false,
        });
      const kept = this.storeOnly ? leanChange(sc, this.log) : sc;
      const fork = this.log.add(kept, verdict === null ? 'applied' : 'rejected', verdict?.code ?? null);
      const entry = this.log.get(hash)!;
      if (!this.storeOnly) this.state.index(sc);
      if (verdict === null) {
        if (!this.storeOnly) this.state.apply(sc, touched, undefined, preApplied?.has(hash) ?? false);
        this.clock.observe(sc.change.hlc);
        kr?.noteApplied(raw);
      } else effects.push({ type: 'changeRejected', hash, code: verdict.code });
      for (const w of putEntryOps(entry)) writes.push(w);
      stored.push(hash);
      if (fork !== undefined) this.invalidateFrom(author, fork, touched, writes, effects);
      reconsider(sc);
      for (const ready of this.pending.resolve(hash)) queue.push(ready);
      return verdict === null ? { status: 'applied', hash } : { status: 'rejected', hash, ...verdict };
    };
    const reconsider = (sc: SignedChange): void => {
      // Flipped changes' docs are rebuilt once at the end (a late revocation may flip thousands
      // of changes on the same few docs); membership docs the validator still reads go first.
      const toRebuild = new Set<string>();
      this.validator?.reconsider?.(sc, {
        dbId: this.dbId,
        log: this.log,
        state: this.state,
        flip: (h, status, code) => {
          const e = this.log.get(h);
          // A snapshot-covered verdict is final (log/change-log.ts invariant 5).
          if (e === undefined || e.status === status || e.covered !== undefined) return;
          this.log.setStatus(e, status, code);
          if (status === 'rejected' && code !== null) effects.push({ type: 'rolledBack', hash: h, code });
          for (const w of putEntryOps(e)) writes.push(w);
          for (const k of this.state.docsOf(e.sc)) toRebuild.add(k);
        },
        rebuildNow: (keys) => this.state.rebuild(keys, touched),
      });
      if (toRebuild.size > 0) this.state.rebuild(toRebuild, touched);
    };
    // A stored change whose epoch key just arrived (invariant 5): open it, judge it, apply it.
    const openLate = (raw: SignedChange): void => {
      const entry = this.log.get(raw.hash);
      if (entry === undefined) return;
      const opened = kr!.open(raw);
      // The entry keeps its identity; only its view gains the content (keyring.ts invariant 4).
      (entry as { sc: SignedChange }).sc = opened.sc;
      this.log.statusEpoch++;
      this.state.index(opened.sc);
      if (entry.status !== 'applied') return;
      let verdict = opened.error;
      try {
        if (verdict === null && this.state.seqHooks !== undefined) checkSequenceRefs(opened.sc, this.log);
      } catch (err) {
        if (!(err instanceof WeftError)) throw err;
        verdict = { code: err.code, message: err.message };
      }
      verdict ??= this.validator?.check(opened.sc, { dbId: this.dbId, log: this.log, state: this.state }) ?? null;
      if (verdict !== null) {
        this.log.setStatus(entry, 'rejected', verdict.code);
        effects.push({ type: 'rolledBack', hash: raw.hash, code: verdict.code });
        for (const w of putEntryOps(entry)) writes.push(w);
      }
      this.state.rebuild(new Set(this.state.docsOf(opened.sc)), touched);
      reconsider(opened.sc);
    };
    for (const sc of items) {
      try {
        results.push(process(sc));
      } catch (err) {
        if (!(err instanceof WeftError)) throw err;
        results.push({ status: 'invalid', hash: sc.hash, code: err.code, message: err.message });
      }
      // Released changes are appended while we walk; an index avoids O(n²) shifting.
      for (let q = 0; q < queue.length; q++) {
        const sc2 = queue[q]!;
        try {
          process(sc2);
        } catch (err) {
          if (!(err instanceof WeftError)) throw err;
        }
      }
      queue.length = 0;
    }
    if (stored.length === 0) return results;
    const afterWrite: (() => void)[] = [];
    for (const [key, t] of touched) {
      const doc = this.state.docs.get(key)!;
      const persist = { logs: this.state.seqLogs, applied: t.seq, after: afterWrite, unsigned: this.unsignedEdits };
      for (const w of putDocOps(key, doc, t.fields, this.state.seqHooks, persist)) writes.push(w);
      const after = doc.alive;
      if (!t.before && after) effects.push({ type: 'docCreated', collection: t.c, id: t.d });
      else if (t.before && after) effects.push({ type: 'docUpdated', collection: t.c, id: t.d });
      else if (t.before && !after) effects.push({ type: 'docDeleted', collection: t.c, id: t.d });
    }
    const heads = [...this.log.heads].sort().map((h) => fromHex(h));
    writes.push(putMeta('heads', heads));
    writes.push(putMeta('clock', [this.clock.latest.ms, this.clock.latest.c]));
    const ctx: BatchContext = { stored, effects, state: this.state, writes, local };
    for (const ext of this.extensions) ext.onBatch?.(ctx);
    try {
      await this.storage.write(writes, { durability: this.durability });
    } catch (err) {
      for (const ext of this.extensions) ext.onAbort?.();
      await this.reload();
      throw err instanceof WeftError ? err : new WeftError('E_STORAGE', String(err));
    }
    for (const f of afterWrite) f();
    for (const ext of this.extensions) ext.onCommitted?.(ctx);
    const event: CommitEvent = { stored, effects, local, origin };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure must not undo or block a committed batch.
      }
    }
    return results;
  }

  /** Rule E: every change of `author` at seq ≥ `from` becomes invalid; affected docs are rebuilt. */
  private invalidateFrom(
    author: AuthorId,
    from: number,
    touched: TouchSet,
    writes: WriteOp[],
    effects: Effect[],
  ): void {
    const rebuild = new Set<string>();
    for (const e of this.log.authorChangesFrom(author, from)) {
      if (e.status !== 'applied') continue;
      this.log.setStatus(e, 'rejected', 'E_EQUIVOCATION');
      effects.push({ type: 'rolledBack', hash: e.sc.hash, code: 'E_EQUIVOCATION' });
      writes.push(...putEntryOps(e));
      for (const k of this.state.docsOf(e.sc)) rebuild.add(k);
    }
    this.state.rebuild(rebuild, touched);
  }

  /** Replaced by the replica: reloads in-memory state from storage after a failed write. */
  reload: () => Promise<void> = async () => undefined;
}
