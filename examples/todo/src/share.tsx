/**
 * Sharing a list. "Create invite link" makes a fresh key, grants it the chosen role on this list
 * (a member doc, checked by the schema's rules), and puts the key's secret in the link; whoever
 * opens the link gets a membership with that role for their own key (redeem-invite in the
 * worker). A user's id can also be granted a role directly.
 */
import { useState } from 'react';
import { encodeExportedIdentity, exportIdentity, generateIdentity } from '@weft/engine';
import { useWeftClient } from '@weft/react';
import type { TodoSchema } from './schema.ts';

type Role = 'editor' | 'viewer';

function inviteUrl(db: string, list: string, secret: string): string {
  const params = new URLSearchParams({ db, list, invite: secret });
  const relay = new URLSearchParams(location.search).get('relay');
  if (relay !== null) params.set('relay', relay);
  return `${location.origin}${location.pathname}?${params.toString()}#/`;
}

export function Share({ listId, report }: { listId: string; report: (p: Promise<unknown>) => void }) {
  const client = useWeftClient<TodoSchema>();
  const [open, setOpen] = useState(false);
  const [user, setUser] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [link, setLink] = useState<string | null>(null);
  if (!open)
    return (
      <div className="weft-share">
        <button className="share" onClick={() => setOpen(true)}>
          Share this list…
        </button>
      </div>
    );
  const createInvite = async (): Promise<void> => {
    const key = await generateIdentity();
    const secret = encodeExportedIdentity(await exportIdentity(key));
    await client.mutate((tx) => void tx.insert('members', { list: listId, user: key.author, role }));
    setLink(inviteUrl(client.db!, listId, secret));
  };
  return (
    <div className="weft-share">
      <div>
        Role{' '}
        <select className="invite-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          <option value="editor">editor</option>
          <option value="viewer">viewer</option>
        </select>{' '}
        <button className="create-invite" onClick={() => report(createInvite())}>
          Create invite link
        </button>{' '}
        <button onClick={() => setOpen(false)}>close</button>
      </div>
      {link !== null && (
        <div>
          Invite link (one person; it grants <b>{role}</b>): <code className="invite-link">{link}</code>
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const id = user.trim();
          report(
            client.mutate((tx) => void tx.insert('members', { list: listId, user: id, role })).then(() => setUser('')),
          );
        }}
      >
        Or grant a user id <input className="grant-user" value={user} onChange={(e) => setUser(e.target.value)} />{' '}
        <button type="submit">Grant {role}</button> · your id: <code className="my-id">{client.author}</code>
      </form>
    </div>
  );
}
