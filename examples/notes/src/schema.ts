/**
 * The notes app's data: notebooks, the memberships that share them, and their notes. A
 * notebook's creator owns it; a membership grants `owner` (manages members), `editor` (edits
 * notes) or `viewer` (reads). Revoking is deleting the membership; the engine judges every
 * change at its causal past, so edits an editor made concurrently with the revocation are
 * rolled back on every replica (revocation wins).
 */
import { collection, defineSchema, ref, rules, string, text, type Rule } from '@weft/engine';

/** The roles a membership can grant, strongest first. */
export const ROLES = ['owner', 'editor', 'viewer'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** The author holds one of `roles` on the notebook whose id is in this doc's field `docField`. */
const roleOn = (roles: readonly Role[], docField: string): Rule =>
  rules.hasRole('members', roles, { scopeField: 'notebook', docField });

/** Whoever may delete the notebook in field `notebook` (its creator). */
const ownsNotebook: Rule = { r: 'can', action: 'delete', collection: 'notebooks', field: 'notebook' };

/** The schema (its hash is in every change the app signs; the relay enforces it too). */
export const notesSchema = defineSchema({
  notebooks: collection(
    { title: string().minLength(1).maxLength(100), owner: string() },
    {
      allow: {
        create: rules.isOwner('owner'),
        update: rules.or(rules.isOwner('owner'), roleOn(['owner', 'editor'], 'id')),
        delete: rules.isOwner('owner'),
      },
    },
  ),
  members: collection(
    { notebook: ref('notebooks'), user: string(), role: string().oneOf([...ROLES]) },
    {
      allow: {
        // Owners manage members; an invite key may add one with exactly its own role (share.tsx).
        create: rules.or(
          ownsNotebook,
          roleOn(['owner'], 'notebook'),
          rules.exists('members', {
            notebook: rules.field('notebook'),
            user: rules.author(),
            role: rules.field('role'),
          }),
        ),
        update: rules.or(ownsNotebook, roleOn(['owner'], 'notebook')),
        delete: rules.or(ownsNotebook, roleOn(['owner'], 'notebook')),
      },
      indexes: [{ fields: ['notebook'] }],
    },
  ),
  notes: collection(
    { notebook: ref('notebooks'), title: string().maxLength(200), body: text() },
    { allow: { write: rules.canWrite('notebook') }, indexes: [{ fields: ['notebook'] }] },
  ),
});

/** The schema's type, for typed mutations and rows. */
export type NotesSchema = typeof notesSchema;
