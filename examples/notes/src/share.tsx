/**
 * Sharing a notebook. "Create invite link" makes a fresh key, grants it the chosen role on this
 * notebook (a membership doc, checked by the schema's rules), and puts the key's secret in the
 * link; whoever opens it gets a membership with that role for their own key (redeemInvite in
 * the worker, as in the todo example). Owners can also grant a user id directly, change roles
 * and revoke (delete the membership).
 *
 * In an end-to-end encrypted database every grant also wraps the key for the new member (or
 * the invite key), and a revocation rotates the key without the revoked user, so they cannot
 * read anything written afterwards (`client.manageKeys`, a no-op without encryption).
 */
import { useState } from 'react';
import { encodeExportedIdentity, exportIdentity, generateIdentity } from '@weft/engine';
import { useWeftClient } from '@weft/react';
import { ROLES, type NotesSchema, type Role } from './schema.ts';
import type { MemberRow, NotebookRow } from './roles.ts';

function inviteUrl(db: string, notebook: string, secret: string): string {
  const params = new URLSearchParams({ db, nb: notebook, invite: secret });
  const relay = new URLSearchParams(location.search).get('relay');
  if (relay !== null) params.set('relay', relay);
  return `${location.origin}${location.pathname}?${params.toString()}#/${notebook}`;
}

export function Share(props: {
  notebook: NotebookRow;
  members: readonly MemberRow[];
  mayManage: boolean;
  report: (p: Promise<unknown>) => void;
}) {
  const { notebook, members, mayManage, report } = props;
  const client = useWeftClient<NotesSchema>();
  const [role, setRole] = useState<Role>('editor');
  const [user, setUser] = useState('');
  const [link, setLink] = useState<string | null>(null);
  const createInvite = async (): Promise<void> => {
    const key = await generateIdentity();
    const secret = encodeExportedIdentity(await exportIdentity(key));
    await client.mutate((tx) => void tx.insert('members', { notebook: notebook.id, user: key.author, role }));
    await client.manageKeys({ share: [key.author] });
    setLink(inviteUrl(client.db!, notebook.id, secret));
  };
  const revoke = async (m: MemberRow): Promise<void> => {
    await client.mutate((tx) => tx.delete('members', m.id));
    await client.manageKeys({ rotateExclude: [m.user] });
  };
  const grant = async (id: string): Promise<void> => {
    await client.mutate((tx) => void tx.insert('members', { notebook: notebook.id, user: id, role }));
    await client.manageKeys({ share: [id] });
    setUser('');
  };
  return (
    <section className="share">
      <h3>Sharing</h3>
      <ul className="members">
        <li>
          <code title={notebook.owner}>{notebook.owner.slice(0, 8)}</code> <span className="role">creator</span>
        </li>
        {members.map((m) => (
          <li key={m.id} className="member" data-user={m.user} data-role={m.role}>
            <code title={m.user}>{m.user.slice(0, 8)}</code> <span className="role">{m.role}</span>
            {m.user === client.author && <span className="you"> (you)</span>}
            {mayManage && (
              <button className="revoke" onClick={() => report(revoke(m))}>
                revoke
              </button>
            )}
          </li>
        ))}
      </ul>
      {mayManage && (
        <>
          <div>
            Role{' '}
            <select className="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>{' '}
            <button className="create-invite" onClick={() => report(createInvite())}>
              Create invite link
            </button>
          </div>
          {link !== null && (
            <div>
              Invite link (it grants <b>{role}</b>): <code className="invite-link">{link}</code>
            </div>
          )}
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const id = user.trim();
              report(grant(id));
            }}
          >
            Or grant a user id <input className="grant-user" value={user} onChange={(e) => setUser(e.target.value)} />{' '}
            <button type="submit">Grant {role}</button>
          </form>
        </>
      )}
      <div className="my-id-line">
        Your id: <code className="my-id">{client.author}</code>
      </div>
    </section>
  );
}
