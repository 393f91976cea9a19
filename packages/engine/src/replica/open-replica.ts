/**
 * Opening a replica: reopen the database found in storage (a cold start reads change records
 * and doc states; no change is re-applied, only the op logs stored after text/list snapshots,
 * see replica-store.ts), join one, create one, or start from a snapshot.
 */
import { WeftError } from '../errors.ts';
import { randomBytes } from '../host.ts';
import type { DbId } from '../ids.ts';
import { decode } from '../encoding/canonical.ts';
import { DEFAULT_MAX_DRIFT_MS, HlcClock } from '../clock/hlc.ts';
import { DEFAULT_CHANGE_LIMITS } from '../change/change.ts';
import { createGenesis, parseChange } from '../change/sign.ts';
import { defaultEd25519 } from '../crypto/identity.ts';
import { DEFAULT_PENDING_LIMITS, PendingBuffer } from '../log/pending-buffer.ts';
import { leanChange } from '../log/lean-change.ts';
import type { StorageAdapter } from '../storage/storage-port.ts';
import { createMemoryStorage } from '../storage/memory-storage.ts';
import { docKey } from '../crdt/doc-state.ts';
import { ReplicaCore } from './core.ts';
import { decodeChangeRecord, loadDocs, metaKey, putMeta } from './replica-store.ts';
import { schemaValidator } from '../schema/schema-validator.ts';
import { sequenceHooks } from './sequence-hooks.ts';
import { setupQueries } from '../query/replica-queries.ts';
import { attachEventLog } from '../events/replica-events.ts';
import { loadSnapshotBase } from '../snapshot/snapshot-store.ts';
import { bootstrapReplicaStorage } from '../snapshot/bootstrap.ts';
import { Replica } from './replica.ts';
import type { ReplicaOptions } from './replica-options.ts';
import { Keyring } from '../encryption/keyring.ts';
import { agreementSecretOf } from '../encryption/agreement-secret.ts';
import { newEpochKeysOp } from '../encryption/replica-keys.ts';
import type { SignedChange } from '../change/change.ts';

/** Fills `validator` and `indexes` from `schema` when the caller didn't give them. */
function withSchema(options: ReplicaOptions): ReplicaOptions {
  const { schema } = options;
  if (options.storeOnly === true && (schema ?? options.validator ?? options.indexes ?? options.snapshot) !== undefined)
    throw new WeftError(
      'E_INVALID_ARGUMENT',
      'a store-only replica keeps no document state, so it takes no schema, validator, indexes or snapshot',
    );
  if (schema === undefined) return options;
  return {
    ...options,
    validator: options.validator ?? schemaValidator(schema),
    indexes: options.indexes ?? schema.indexDefinitions(),
  };
}

function makeCore(
  options: ReplicaOptions,
  dbId: DbId,
  storage: StorageAdapter,
  secret: Uint8Array | undefined,
): ReplicaCore {
  const clock = new HlcClock(options.wallClock ?? (() => Date.now()), options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS);
  const pending = new PendingBuffer({ ...DEFAULT_PENDING_LIMITS, ...options.pendingLimits });
  const core = new ReplicaCore(
    dbId,
    storage,
    clock,
    pending,
    options.validator,
    options.sequence ?? sequenceHooks,
    options.durability ?? 'strict',
    options.storeOnly ?? false,
  );
  // A store-only replica never opens content; anything else opens what its identity can.
  if (options.storeOnly !== true) {
    const maxOps = options.limits?.maxOps ?? DEFAULT_CHANGE_LIMITS.maxOps;
    core.keyring = new Keyring(options.identity.author, secret, maxOps);
  }
  return core;
}

/** Queries, indexes and the event log read document state, which a store-only replica lacks. */
async function attachExtensions(replica: Replica, options: ReplicaOptions): Promise<void> {
  if (options.storeOnly === true) return;
  await setupQueries(replica, options.indexes);
  await attachEventLog(replica, options.events);
}

export async function loadCore(options: ReplicaOptions, dbId: DbId): Promise<ReplicaCore> {
  const storage = options.storage!;
  const core = makeCore(options, dbId, storage, await agreementSecretOf(options.identity));
  const kr = core.keyring;
  const limits = { ...DEFAULT_CHANGE_LIMITS, ...options.limits };
  // Covered changes first, as DAG stubs: stored records may depend on them.
  await loadSnapshotBase(storage, core);
  const records = (await storage.scan('changes')).map((e) => decodeChangeRecord(e.value));
  records.sort((a, b) => a.order - b.order);
  for (const r of records) {
    // Local storage is trusted: parse without re-verifying signatures, and don't re-apply ops.
    const parsed = parseChange(r.bytes, limits);
    let sc = core.storeOnly ? leanChange(parsed, core.log) : parsed;
    // Encrypted content is opened again (its status is already stored); see core.ts invariant 5.
    const late: SignedChange[] = [];
    if (kr !== undefined) {
      for (const epoch of kr.learnKeys(parsed)) late.push(...kr.takeWaiting(epoch));
      sc = kr.open(parsed).sc;
      if (r.status === 'applied') kr.noteApplied(parsed);
    }
    core.log.add(sc, r.status, r.reason, r.order);
    if (r.rolledBack) core.log.get(sc.hash)!.rolledBack = true;
    if (!core.storeOnly) core.state.index(sc);
    if (r.status === 'applied') core.clock.observe(sc.change.hlc);
    for (const w of late) {
      const entry = core.log.get(w.hash)!;
      (entry as { sc: SignedChange }).sc = kr!.open(w).sc;
      core.state.index(entry.sc);
    }
  }
  if (!core.storeOnly)
    for (const doc of await loadDocs(storage, options.sequence ?? sequenceHooks, core.state.seqLogs))
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
    await attachExtensions(replica, options);
    return replica;
  }
  if (options.db !== undefined) {
    dbId = options.db;
    await storage.write([putMeta('db', dbId)]);
    const core = makeCore(opts, dbId, storage, await agreementSecretOf(options.identity));
    const replica = new Replica(opts, options.identity, dbId, port, limits, core);
    core.reload = () => replica.reload();
    await attachExtensions(replica, options);
    return replica;
  }
  if (options.create === undefined)
    throw new WeftError('E_INVALID_ARGUMENT', 'createReplica needs `db` to open or join, or `create`');
  const clock = new HlcClock(options.wallClock ?? (() => Date.now()), options.maxDriftMs ?? DEFAULT_MAX_DRIFT_MS);
  const random = options.random ?? randomBytes;
  const secret = await agreementSecretOf(options.identity);
  if (options.create.encrypted === true && secret === undefined)
    throw new WeftError('E_KEY', 'an encrypted database needs an identity whose seed can be exported');
  const { dbId: newId, genesis } = await createGenesis(options.identity, {
    name: options.create.name,
    hlc: clock.now(),
    nonce: random(16),
    schema: options.validator?.schemaHash ?? null,
    // The first epoch, wrapped for the creator, marks the database encrypted (keyring.ts invariant 1).
    ops: options.create.encrypted === true ? [newEpochKeysOp(options.identity.author, random)] : [],
  });
  await storage.write([putMeta('db', newId)]);
  const core = makeCore(opts, newId, storage, secret);
  core.clock.observe(clock.latest);
  const replica = new Replica(opts, options.identity, newId, port, limits, core);
  core.reload = () => replica.reload();
  const [r] = await core.commit([genesis], true);
  if (r!.status !== 'applied') throw new WeftError(r!.code ?? 'E_INTERNAL', 'genesis not applied');
  await attachExtensions(replica, options);
  return replica;
}
