/**
 * Exactly-once mutations across a leader failover. A tab gives each mutation an id and retries
 * it until it gets an answer; when the leader dies after committing but before answering, the
 * retry reaches the next leader. The ledger is a commit extension that stores `mutation id ->
 * change hash` in the same atomic batch as the change, so "committed" and "recorded" cannot
 * disagree, and a retry returns the first hash instead of signing a duplicate.
 */
import { WeftError, type BatchContext, type ChangeHash, type CommitExtension, type StorageAdapter } from '@weft/engine';

const PREFIX = 'weft-host/mutation/';
const utf8 = new TextEncoder();
const text = new TextDecoder();

function keyOf(id: string): Uint8Array {
  return utf8.encode(PREFIX + id);
}

/** Checks a tab-supplied mutation id: short, printable, no separators. */
export function checkMutationId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(id))
    throw new WeftError('E_INVALID_ARGUMENT', 'a mutation id is 8-64 characters of [A-Za-z0-9_-]');
}

/** The ledger extension of one database. */
export class MutationLedger implements CommitExtension {
  /** The mutation being committed; the host runs mutations one at a time. */
  private current: string | undefined;

  constructor(private readonly storage: StorageAdapter) {}

  /** The hash a mutation already committed as, if any. */
  async lookup(id: string): Promise<ChangeHash | undefined> {
    const raw = await this.storage.get('meta', keyOf(id));
    return raw === undefined ? undefined : (text.decode(raw) as ChangeHash);
  }

  /** Runs `commit` so that `id` is recorded in the batch that stores its change. */
  async record(id: string, commit: () => Promise<ChangeHash>): Promise<ChangeHash> {
    this.current = id;
    try {
      return await commit();
    } finally {
      this.current = undefined;
    }
  }

  onBatch(ctx: BatchContext): void {
    const id = this.current;
    // A local batch holds exactly the one change the mutation signed (the host flushes text
    // bursts before recording), so its last stored hash is the mutation's.
    const hash = ctx.stored[ctx.stored.length - 1];
    if (id === undefined || !ctx.local || hash === undefined) return;
    ctx.writes.push({ type: 'put', store: 'meta', key: keyOf(id), value: utf8.encode(hash) });
    this.current = undefined;
  }
}
