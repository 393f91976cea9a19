/**
 * Checking a snapshot before anything is built on it, and the trust model.
 *
 * Trust model. A replica that starts from a snapshot skips verifying the covered changes one
 * by one: it takes the signer's word that the doc states are what those changes produce. So
 * only keys with authority over the whole database may vouch for that. By default that is the
 * database creator alone: the genesis change is inside the snapshot, its hash must equal the
 * database id the caller asked for, and its author is the root of authority (DESIGN §3). An
 * application may widen the set (`keys`), e.g. to an operator's relay key it also trusts to
 * enforce the rules. Everything else is checked, never trusted: the envelope hash, the
 * signature, the genesis hash and signature, and every embedded change body's hash and
 * signature. Failures are typed: `E_HASH` (content does not match its hash or the database id),
 * `E_SIGNATURE` (bad signature, or a signer outside the trusted set), `E_WRONG_DB`, `E_DECODE`.
 */
import { WeftError } from '../errors.ts';
import { equalBytes, fromHex } from '../bytes.ts';
import type { AuthorId, DbId } from '../ids.ts';
import type { Ed25519Port } from '../crypto/crypto-port.ts';
import { defaultEd25519 } from '../crypto/identity.ts';
import { parseChange, verifyChange } from '../change/sign.ts';
import type { SignedChange } from '../change/change.ts';
import { decodeEnvelope, decodeSnapshotBody, snapshotHash, type SnapshotBody } from './snapshot-codec.ts';

/** Whom to believe. */
export interface SnapshotTrust {
  /**
   * The database the snapshot must be of. Required unless `keys` is given: without it, anyone
   * could make a new database of their own and vouch for it as its creator.
   */
  readonly db?: DbId;
  /** Keys whose snapshots are accepted. Default: the database creator (genesis author). */
  readonly keys?: readonly AuthorId[];
  /** Ed25519 implementation (default WebCrypto with the noble fallback). */
  readonly ed25519?: Ed25519Port;
}

/** A snapshot that passed every check. */
export interface VerifiedSnapshot {
  readonly body: SnapshotBody;
  readonly signer: AuthorId;
  /** The genesis change and the embedded bodies, parsed and verified. */
  readonly genesis: SignedChange;
  readonly bodies: readonly SignedChange[];
}

/** Decodes `bytes` without checking hashes or signatures: only for data this replica stored itself. */
export function readTrustedSnapshot(bytes: Uint8Array): { body: SnapshotBody; signer: AuthorId } {
  const env = decodeEnvelope(bytes);
  return { body: decodeSnapshotBody(env.body), signer: env.signer };
}

/** Runs every check on a snapshot received from anywhere; see the trust model above. */
export async function verifySnapshot(bytes: Uint8Array, trust: SnapshotTrust): Promise<VerifiedSnapshot> {
  if (trust.db === undefined && (trust.keys === undefined || trust.keys.length === 0))
    throw new WeftError('E_INVALID_ARGUMENT', 'snapshot trust needs the expected database id or trusted keys');
  const env = decodeEnvelope(bytes);
  if (!equalBytes(snapshotHash(env.body), env.hash)) throw new WeftError('E_HASH', 'snapshot does not match its hash');
  const port = trust.ed25519 ?? (await defaultEd25519());
  if (!(await port.verify(fromHex(env.signer), env.hash, env.sig)))
    throw new WeftError('E_SIGNATURE', 'bad snapshot signature');
  const body = decodeSnapshotBody(env.body);
  if (trust.db !== undefined && body.db !== trust.db)
    throw new WeftError('E_WRONG_DB', `snapshot is of database ${body.db}, not ${trust.db}`);
  const genesis = parseChange(body.genesis);
  if ((genesis.hash as string) !== body.db || genesis.change.db !== null)
    throw new WeftError('E_HASH', 'snapshot genesis does not hash to its database id');
  if (!(await verifyChange(port, genesis))) throw new WeftError('E_SIGNATURE', 'bad genesis signature in snapshot');
  const trusted = trust.keys ?? [genesis.change.author];
  if (!trusted.includes(env.signer))
    throw new WeftError('E_SIGNATURE', `snapshot signed by ${env.signer}, which is not trusted`, {
      reason: 'untrusted',
    });
  const first = body.changes[0]!;
  if ((first.hash as string) !== body.db || first.author !== genesis.change.author || first.seq !== 1)
    throw new WeftError('E_HASH', 'snapshot skeleton does not start at the genesis change');
  const listed = new Map(body.changes.map((e) => [e.hash as string, e]));
  const bodies: SignedChange[] = [];
  for (const b of body.bodies) {
    const sc = parseChange(b, { maxBytes: Infinity, maxOps: Infinity, maxDeps: Infinity });
    const e = listed.get(sc.hash);
    if (
      e === undefined ||
      e.author !== sc.change.author ||
      e.seq !== sc.change.seq ||
      e.deps.join() !== sc.change.deps.join()
    )
      throw new WeftError('E_HASH', `snapshot carries change ${sc.hash} it does not cover`);
    if (!(await verifyChange(port, sc))) throw new WeftError('E_SIGNATURE', `bad signature on change ${sc.hash}`);
    bodies.push(sc);
  }
  return { body, signer: env.signer, genesis, bodies };
}
