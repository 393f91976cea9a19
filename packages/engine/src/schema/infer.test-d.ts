import { describe, expectTypeOf, it } from 'vitest';
import type { DocId } from '../ids.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import {
  boolean,
  collection,
  counter,
  date,
  defineSchema,
  json,
  list,
  number,
  object,
  ref,
  rules,
  set,
  string,
  text,
  type InferDoc,
  type InferInsert,
  type InferQueryFields,
  type InferUpdate,
  type CollectionsSpec,
} from './index.ts';

const schema = defineSchema({
  users: collection({ name: string() }),
  lists: collection(
    { title: text(), owner: ref('users') },
    { allow: { update: rules.isOwner('owner') }, indexes: [{ fields: ['owner'] }] },
  ),
  todos: collection({
    list: ref('lists'),
    title: string().maxLength(200),
    done: boolean().default(false),
    order: number(),
    note: string().optional(),
    status: string().oneOf(['open', 'closed']),
    due: date().optional().default(0),
    likes: counter(),
    tags: set(string()),
    steps: list(number()),
    meta: json<{ color: string }>(),
    address: object({ city: string(), zip: string().optional() }).optional(),
  }),
});

describe('InferDoc', () => {
  it('infers document types with id, optional and defaulted fields', () => {
    expectTypeOf<InferDoc<typeof schema, 'todos'>>().toEqualTypeOf<{
      readonly id: DocId;
      readonly list: DocId;
      readonly title: string;
      readonly done: boolean;
      readonly order: number;
      readonly status: 'open' | 'closed';
      readonly due: number | null;
      readonly likes: number;
      readonly tags: string[];
      readonly steps: number[];
      readonly meta: { color: string };
      readonly note?: string | null;
      readonly address?: { readonly city: string; readonly zip?: string | null } | null;
    }>();
    expectTypeOf<InferDoc<typeof schema, 'lists'>>().toEqualTypeOf<{
      readonly id: DocId;
      readonly title: string;
      readonly owner: DocId;
    }>();
  });

  it('exposes the compiled data alongside the types', () => {
    expectTypeOf(schema.hash).toEqualTypeOf<string>();
  });

  it('rejects unknown collections', () => {
    // @ts-expect-error: no such collection
    type _Bad = InferDoc<typeof schema, 'nope'>;
  });

  it('infers insert and update inputs', () => {
    expectTypeOf<InferInsert<typeof schema, 'users'>>().toEqualTypeOf<{ readonly name: string }>();
    expectTypeOf<InferUpdate<typeof schema, 'users'>>().toEqualTypeOf<{ readonly name?: string }>();
    expectTypeOf<InferInsert<typeof schema, 'todos'>>().toHaveProperty('title');
    expectTypeOf<InferInsert<typeof schema, 'todos'>>().not.toHaveProperty('likes');
  });

  it('infers query fields by dotted path', () => {
    type Q = InferQueryFields<typeof schema, 'todos'>;
    expectTypeOf<Q['address.city']>().toEqualTypeOf<string>();
    expectTypeOf<Q['note']>().toEqualTypeOf<string | null>();
    expectTypeOf<Q['id']>().toEqualTypeOf<DocId>();
    expectTypeOf<Q['meta']>().toEqualTypeOf<{ color: string }>();
  });

  it('keeps json open by default', () => {
    const s = defineSchema({ x: collection({ data: json() }) });
    expectTypeOf(s.collections).toEqualTypeOf<CollectionsSpec>();
    expectTypeOf<InferDoc<typeof s, 'x'>['data']>().toEqualTypeOf<CanonicalValue>();
  });
});
