/**
 * A modified client: signs, with a user's own exported key, a change that user's app would
 * refuse to sign (the replica's local permission check is bypassed), and pushes it to the relay
 * over HTTP. What every honest replica must then reject.
 */
import {
  createReplica,
  decode,
  decodeExportedIdentity,
  encode,
  importIdentity,
  type DbId,
} from '../../packages/engine/src/index.ts';
import { notesSchema } from '../../examples/notes/src/schema.ts';

/** The relay's verdict on one pushed change. */
export interface PushResult {
  readonly hash: string;
  readonly status: string;
  readonly code: string | null;
}

/** Signs, as `secret`'s key, an insert of `text` at the start of note `note`'s body, and POSTs it. */
export async function forgeTextEdit(
  relay: string,
  db: string,
  secret: string,
  note: string,
  text: string,
): Promise<PushResult> {
  const identity = await importIdentity(decodeExportedIdentity(secret));
  const r = await createReplica({ identity, db: db as DbId, schema: notesSchema });
  try {
    const pulled = decode(
      new Uint8Array(await (await fetch(`${relay}/v1/db/${db}/changes`)).arrayBuffer()),
    ) as Uint8Array[];
    await r.ingestMany(pulled);
    // The bypass: a validator that waves every local write through.
    const validator = r.internals.validator as unknown as { checkLocal: () => null };
    validator.checkLocal = () => null;
    await r.change((tx) => tx.text('notes', note, 'body').insert(0, text)).catch(() => undefined);
    const mine = r.changes().filter((e) => e.sc.change.author === identity.author);
    const forged = mine[mine.length - 1]!;
    const res = await fetch(`${relay}/v1/db/${db}/changes`, {
      method: 'POST',
      body: Buffer.from(encode([forged.sc.bytes])),
    });
    const [verdict] = (await res.json()) as PushResult[];
    return { ...verdict!, hash: forged.sc.hash };
  } finally {
    await r.close();
  }
}
