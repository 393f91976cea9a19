/**
 * Sharing a list: a member doc grants another user's key a role on it (the schema's rules
 * enforce it on every replica). The invite link carries the database id and the list, so the
 * other user's app joins this database; the data reaches them once a sync transport connects.
 */
import { useState } from 'react';
import { useWeftClient } from '@weft/react';
import type { TodoSchema } from './schema.ts';

export function Share({ listId, report }: { listId: string; report: (p: Promise<unknown>) => void }) {
  const client = useWeftClient<TodoSchema>();
  const [open, setOpen] = useState(false);
  const [user, setUser] = useState('');
  const [role, setRole] = useState<'editor' | 'viewer'>('editor');
  if (!open)
    return (
      <div className="weft-share">
        <button className="share" onClick={() => setOpen(true)}>
          Share this list…
        </button>
      </div>
    );
  const link = `${location.origin}${location.pathname}?db=${client.db ?? ''}&list=${listId}${location.hash}`;
  return (
    <div className="weft-share">
      <div>
        Your user id: <code className="my-id">{client.author}</code>
      </div>
      <div>
        Invite link: <code className="invite-link">{link}</code>
      </div>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const id = user.trim();
          report(client.mutate((tx) => tx.insert('members', { list: listId, user: id, role })).then(() => setUser('')));
        }}
      >
        Grant user <input className="grant-user" value={user} onChange={(e) => setUser(e.target.value)} /> the role{' '}
        <select value={role} onChange={(e) => setRole(e.target.value as 'editor' | 'viewer')}>
          <option value="editor">editor</option>
          <option value="viewer">viewer</option>
        </select>{' '}
        <button type="submit">Grant</button> <button onClick={() => setOpen(false)}>close</button>
      </form>
    </div>
  );
}
