/**
 * Invite links. The inviter makes a fresh key, grants it a membership of a list (a normal,
 * rule-checked change), and puts the key's secret in the link. The invitee's host signs, with
 * that key, a membership with the same role for the invitee's own key: the schema lets a key
 * that holds a membership add one with its own role, so the link grants exactly its role and
 * every replica can check it. Signing happens in a throwaway replica that holds the same
 * changes and speaks as the invite key; the resulting change is then ingested like any other.
 *
 * In an encrypted database the inviter also wrapped the key for the invite key, and only the
 * throwaway replica (which speaks as the invite key) can read the grant. In the same change as
 * the membership it wraps the keys for the invitee and rotates to a new epoch without the
 * invite key itself: the link's secret stays with whoever saw the link, so a spent invite key
 * must not receive later keys (or a revoked invitee could still read through it).
 *
 * An invite key is for one redemption at a time: two devices redeeming it concurrently would
 * sign two changes with the same seq, and equivocation rejects both.
 */
import {
  WeftError,
  createReplica,
  decodeExportedIdentity,
  importIdentity,
  type ChangeHash,
  type Replica,
  type Schema,
} from '@weft/engine';

/** Redeems `secret` for a membership of `list` in `members`; returns the change hash. */
export async function redeemInvite(
  replica: Replica,
  schema: Schema | undefined,
  secret: string,
  list: string,
  members: string,
  scope = 'list',
): Promise<ChangeHash> {
  if (typeof secret !== 'string' || typeof list !== 'string' || typeof members !== 'string')
    throw new WeftError('E_INVALID_ARGUMENT', 'redeemInvite needs a secret, a list id and a collection');
  if (typeof scope !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(scope))
    throw new WeftError('E_INVALID_ARGUMENT', 'the scope field must be a field name');
  const invite = await importIdentity(decodeExportedIdentity(secret));
  const temp = await createReplica({ identity: invite, db: replica.dbId, ...(schema === undefined ? {} : { schema }) });
  try {
    await temp.ingestMany(replica.changes().flatMap((e) => (e.covered === 'pruned' ? [] : [e.sc.bytes])));
    const grant = temp.list(members).find((d) => d.user === invite.author && d[scope] === list);
    if (grant === undefined) throw new WeftError('E_NOT_FOUND', 'the invite has not synced yet, or was revoked');
    const hash = await temp.change(
      (tx) => void tx.insert(members, { [scope]: list, user: replica.author, role: grant.role! }),
      temp.encrypted ? { shareKey: [replica.author], rotateKey: { exclude: [invite.author] } } : undefined,
    );
    const [r] = await replica.ingestMany([temp.getChange(hash)!.sc.bytes]);
    if (r!.status !== 'applied') throw new WeftError(r!.code ?? 'E_PERMISSION', r!.message ?? 'the invite was refused');
    return hash;
  } finally {
    await temp.close();
  }
}
