import { describe, expectTypeOf, it } from 'vitest';
import type { DocId } from '../ids.ts';
import type { Transaction } from '../replica/transaction.ts';
import {
  addField,
  boolean,
  collection,
  counter,
  defineSchema,
  dropField,
  list,
  number,
  object,
  ref,
  renameField,
  set,
  string,
  text,
  typed,
  type InferDoc,
} from './index.ts';

const schema = defineSchema({
  lists: collection({ title: text(), owner: string(), items: list(number()) }),
  todos: collection({
    list: ref('lists'),
    title: string(),
    done: boolean().default(false),
    note: string().optional(),
    likes: counter(),
    tags: set(string()),
    address: object({ city: string(), zip: number().optional() }).optional(),
    legacy: string().optional(),
  }),
});
type S = typeof schema;
declare const raw: Transaction;
const tx = typed<S>(raw);

describe('TypedTransaction', () => {
  it('inserts with required fields and typed values', () => {
    expectTypeOf(tx.insert('todos', { list: 'l1', title: 'milk' })).toEqualTypeOf<DocId>();
    tx.insert('todos', { list: 'l1', title: 'milk', done: true, note: null });
    // @ts-expect-error: title is required
    tx.insert('todos', { list: 'l1' });
    // @ts-expect-error: done is a boolean
    tx.insert('todos', { list: 'l1', title: 'x', done: 'yes' });
    // @ts-expect-error: unknown field
    tx.insert('todos', { list: 'l1', title: 'x', nope: 1 });
    // @ts-expect-error: a counter is not inserted as a value
    tx.insert('todos', { list: 'l1', title: 'x', likes: 3 });
    // @ts-expect-error: unknown collection
    tx.insert('nope', {});
  });

  it('updates and sets only register fields with their types', () => {
    tx.update('todos', 'a', { done: true });
    // @ts-expect-error: title is not optional, so it cannot be cleared
    tx.update('todos', 'a', { title: null });
    tx.set('todos', 'a', 'title', 'bread');
    tx.set('todos', 'a', 'note', null);
    tx.set('todos', 'a', 'address.city', 'Oslo');
    tx.set('todos', 'a', 'address', { city: 'Oslo' });
    // @ts-expect-error: set on a counter
    tx.set('todos', 'a', 'likes', 3);
    // @ts-expect-error: set on a set
    tx.set('todos', 'a', 'tags', ['x']);
    // @ts-expect-error: set on text
    tx.set('lists', 'a', 'title', 'x');
    // @ts-expect-error: wrong value type
    tx.set('todos', 'a', 'title', 3);
    // @ts-expect-error: wrong nested value type
    tx.set('todos', 'a', 'address.zip', 'x');
    // @ts-expect-error: unknown field
    tx.set('todos', 'a', 'nope', 1);
    // @ts-expect-error: whole-object value missing a required sub-field
    tx.set('todos', 'a', 'address', { zip: 1 });
  });

  it('increments counters and edits sets only', () => {
    tx.increment('todos', 'a', 'likes');
    tx.increment('todos', 'a', 'likes', -2);
    // @ts-expect-error: increment on a string
    tx.increment('todos', 'a', 'title');
    tx.addToSet('todos', 'a', 'tags', 'x');
    tx.removeFromSet('todos', 'a', 'tags', 'x');
    // @ts-expect-error: wrong element type
    tx.addToSet('todos', 'a', 'tags', 1);
    // @ts-expect-error: addToSet on a counter
    tx.addToSet('todos', 'a', 'likes', 1);
    tx.delete('todos', 'a');
    // @ts-expect-error: unknown collection
    tx.delete('nope', 'a');
  });

  it('edits text and lists through sequence edits only', () => {
    tx.text('lists', 'a', 'title').insert(0, 'hi');
    tx.list('lists', 'a', 'items').insert(0, 1, 2);
    tx.list('lists', 'a', 'items').move(0, 1);
    // @ts-expect-error: list elements are numbers
    tx.list('lists', 'a', 'items').insert(0, 'x');
    // @ts-expect-error: not a text field
    tx.text('lists', 'a', 'owner');
    // @ts-expect-error: not a list field
    tx.list('lists', 'a', 'title');
  });
});

describe('migrate', () => {
  it('infers the migrated document type', () => {
    const v2 = schema.migrate({
      version: 2,
      steps: [
        addField('todos', 'priority', number().default(0)),
        renameField('todos', 'title', 'name'),
        dropField('todos', 'legacy'),
      ],
    });
    expectTypeOf(v2.version).toEqualTypeOf<number>();
    type Todo = InferDoc<typeof v2, 'todos'>;
    expectTypeOf<Todo['priority']>().toEqualTypeOf<number>();
    expectTypeOf<Todo['name']>().toEqualTypeOf<string>();
    expectTypeOf<Todo>().not.toHaveProperty('title');
    expectTypeOf<Todo>().not.toHaveProperty('legacy');
    const tx2 = typed<typeof v2>(raw);
    tx2.set('todos', 'a', 'name', 'x');
    // @ts-expect-error: renamed away
    tx2.set('todos', 'a', 'title', 'x');
  });
});
