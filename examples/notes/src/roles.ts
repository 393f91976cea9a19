/** What the local user may do in a notebook, from its owner field and the memberships. */
import type { Role } from './schema.ts';

/** A notebook row. */
export interface NotebookRow {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
}

/** A membership row. */
export interface MemberRow {
  readonly id: string;
  readonly notebook: string;
  readonly user: string;
  readonly role: Role;
}

/** A note row (the body is read through `useText`). */
export interface NoteRow {
  readonly id: string;
  readonly notebook: string;
  readonly title: string;
}

const RANK: Record<Role, number> = { owner: 3, editor: 2, viewer: 1 };

/** The strongest role `author` holds on `notebook`, or null. */
export function roleOf(author: string | undefined, notebook: NotebookRow, members: readonly MemberRow[]): Role | null {
  if (author === undefined) return null;
  if (notebook.owner === author) return 'owner';
  let best: Role | null = null;
  for (const m of members)
    if (m.notebook === notebook.id && m.user === author && (best === null || RANK[m.role] > RANK[best])) best = m.role;
  return best;
}

/** True when `role` may edit notes. */
export const canEdit = (role: Role | null): boolean => role === 'owner' || role === 'editor';
