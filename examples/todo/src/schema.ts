/**
 * The todo app's data: named lists, their todos, and memberships that share a list with
 * another user. The list's creator owns it; members with role `editor` may edit it and its
 * todos (todos inherit their list's update rule), `viewer`s may only read.
 */
import { boolean, collection, defineSchema, number, ref, rules, string } from '@weft/engine';

/** The schema (its hash is in every change the app signs). */
export const todoSchema = defineSchema({
  lists: collection(
    { title: string().minLength(1).maxLength(100), owner: string() },
    {
      allow: {
        create: rules.isOwner('owner'),
        update: rules.or(
          rules.isOwner('owner'),
          rules.hasRole('members', ['editor'], { scopeField: 'list', docField: 'id' }),
        ),
        delete: rules.isOwner('owner'),
      },
    },
  ),
  members: collection(
    { list: ref('lists'), user: string(), role: string().oneOf(['editor', 'viewer']) },
    {
      allow: {
        // Whoever can edit the list may add members; so may an invite key, but only with the
        // role its own invite grants (invite links, share.tsx).
        create: rules.or(
          rules.canWrite('list'),
          rules.exists('members', { list: rules.field('list'), user: rules.author(), role: rules.field('role') }),
        ),
        update: rules.canWrite('list'),
        delete: rules.canWrite('list'),
      },
    },
  ),
  todos: collection(
    {
      list: ref('lists'),
      title: string().minLength(1).maxLength(500),
      done: boolean().default(false),
      order: number(),
    },
    { allow: { write: rules.canWrite('list') }, indexes: [{ fields: ['list', 'order'] }] },
  ),
});

/** The schema's type, for typed mutations and rows. */
export type TodoSchema = typeof todoSchema;
