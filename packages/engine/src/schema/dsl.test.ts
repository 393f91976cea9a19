import { describe, expect, it } from 'vitest';
import { isWeftError } from '../errors.ts';
import {
  applyDefaults,
  boolean,
  collection,
  counter,
  date,
  defaultsFor,
  defineSchema,
  json,
  list,
  maxLength,
  min,
  number,
  object,
  oneOf,
  pattern,
  ref,
  required,
  rules,
  set,
  string,
  text,
} from './index.ts';

function schemaError(fn: () => unknown, text: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isWeftError(err, 'E_SCHEMA'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(text);
    return;
  }
  expect.unreachable('expected E_SCHEMA');
}

const users = collection({ name: string() });

describe('defineSchema', () => {
  it('compiles fields, constraints, rules and indexes into plain data', () => {
    const s = defineSchema(
      {
        users,
        members: collection({ user: string(), role: string(), list: ref('lists') }),
        lists: collection(
          { title: text(), owner: ref('users') },
          {
            allow: {
              create: rules.isAuthor(),
              update: rules.or(
                rules.isOwner('owner'),
                rules.hasRole('members', ['editor'], { scopeField: 'list', docField: 'id' }),
              ),
              delete: rules.isOwner('owner'),
            },
            validate: { title: maxLength(200) },
          },
        ),
        todos: collection(
          {
            list: ref('lists'),
            title: string().minLength(1).pattern(/^\S/i),
            done: boolean().default(false),
            order: number().min(0).integer(),
            kind: string().oneOf(['a', 'b']),
            due: date().optional(),
            tags: set(string()),
            likes: counter(),
            steps: list(number()),
            meta: json(),
            address: object({ city: string(), zip: string().optional() }),
          },
          {
            allow: { write: rules.canWrite('list') },
            indexes: [{ fields: ['list', 'order'] }, { name: 'byCity', fields: ['address.city'] }],
          },
        ),
      },
      { version: 3 },
    );
    expect(s.version).toBe(3);
    expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
    const todos = s.collections.todos!;
    expect(todos.fields.title).toEqual({ type: 'string', minLength: 1, pattern: { source: '^\\S', flags: 'i' } });
    expect(todos.fields.done).toEqual({ type: 'boolean', default: false });
    expect(todos.fields.order).toEqual({ type: 'number', min: 0, integer: true });
    expect(todos.fields.kind).toEqual({ type: 'string', oneOf: ['a', 'b'] });
    expect(todos.fields.due).toEqual({ type: 'date', optional: true });
    expect(todos.fields.tags).toEqual({ type: 'set', of: { type: 'string' } });
    expect(todos.fields.address).toEqual({
      type: 'object',
      fields: { city: { type: 'string' }, zip: { type: 'string', optional: true } },
    });
    expect(s.collections.lists!.fields.title).toEqual({ type: 'text', maxLength: 200 });
    // canWrite('list') resolved from the ref type.
    expect(todos.allow.write).toEqual({ r: 'can', action: 'update', collection: 'lists', field: 'list' });
    expect(s.indexDefinitions()).toEqual([
      { name: 'todos.list,order', collection: 'todos', fields: ['list', 'order'] },
      { name: 'byCity', collection: 'todos', fields: ['address.city'] },
    ]);
    expect(s.refTarget('todos', 'list')).toBe('lists');
    expect(s.refTarget('todos', 'title')).toBeUndefined();
    expect(s.field('todos', 'address.city')).toEqual({ type: 'string' });
    expect(s.rules().lists!.delete).toEqual(rules.isOwner('owner'));
    expect(Object.isFrozen(todos.fields.title)).toBe(true);
  });

  it('gives builder methods and the validate map the same result', () => {
    const a = defineSchema({ t: collection({ x: string().maxLength(3).pattern(/a/), n: number().min(1) }) });
    const b = defineSchema({
      t: collection({ x: string(), n: number() }, { validate: { x: [maxLength(3), pattern(/a/)], n: min(1) } }),
    });
    expect(b.hash).toBe(a.hash);
  });

  it('keeps builders immutable', () => {
    const base = string();
    const long = base.maxLength(5);
    expect(base.spec).toEqual({ type: 'string' });
    expect(long.spec).toEqual({ type: 'string', maxLength: 5 });
    expect(base.optional().spec).toEqual({ type: 'string', optional: true });
  });

  it('rejects unknown ref targets, fields and collections in rules', () => {
    schemaError(() => defineSchema({ t: collection({ u: ref('users') }) }), /unknown collection "users"/);
    schemaError(
      () => defineSchema({ users, t: collection({ o: ref('users') }, { allow: { write: rules.isOwner('owner') } }) }),
      /no field "owner"/,
    );
    schemaError(
      () =>
        defineSchema({
          users,
          t: collection({ o: ref('users') }, { allow: { write: rules.hasRole('members', ['x']) } }),
        }),
      /unknown collection "members"/,
    );
    schemaError(
      () =>
        defineSchema({
          members: collection({ user: string() }),
          t: collection({ o: string() }, { allow: { write: rules.hasRole('members', ['x']) } }),
        }),
      /"members" has no field "role"/,
    );
    schemaError(
      () => defineSchema({ users, t: collection({ o: string() }, { allow: { write: rules.canWrite('o') } }) }),
      /must be a ref/,
    );
    schemaError(
      () =>
        defineSchema({
          users,
          lists: users,
          t: collection({ o: ref('users') }, { allow: { write: rules.canWrite('o', 'lists') } }),
        }),
      /refers to "users"/,
    );
    schemaError(
      () => defineSchema({ users, t: collection({ o: ref('users') }, { allow: { read: rules.allow() } as never }) }),
      /unknown action "read"/,
    );
    schemaError(
      () => defineSchema({ users, t: collection({ o: ref('users') }, { allow: { write: { r: 'magic' } as never } }) }),
      /unknown rule "magic"/,
    );
  });

  it('rejects misplaced or conflicting constraints', () => {
    schemaError(
      () => defineSchema({ t: collection({ n: number() }, { validate: { n: maxLength(3) } }) }),
      /maxLength does not apply to number/,
    );
    schemaError(
      () => defineSchema({ t: collection({ n: number() }, { validate: { x: min(3) } as never }) }),
      /no field "x"/,
    );
    schemaError(
      () => defineSchema({ t: collection({ s: string().maxLength(3) }, { validate: { s: maxLength(4) } }) }),
      /declared twice/,
    );
    schemaError(
      () => defineSchema({ t: collection({ s: string().optional() }, { validate: { s: required() } }) }),
      /both optional and required/,
    );
    schemaError(() => defineSchema({ t: collection({ n: number().min(5).max(1) }) }), /above max/);
    schemaError(
      () => defineSchema({ t: collection({ s: string().oneOf(['a']) }, { validate: { s: oneOf([1]) } }) }),
      /declared twice/,
    );
    schemaError(
      () => defineSchema({ t: collection({ n: number().default(-1).min(0) }) }),
      /default of field "t.n" fails min/,
    );
    schemaError(() => string().pattern(/a/g), /g and y flags/);
    schemaError(() => (counter() as never as ReturnType<typeof string>).maxLength(3), /does not apply to counter/);
    schemaError(() => ref('users').default('x' as never), /cannot have a default/);
    schemaError(() => set(counter()), /cannot be counter/);
    schemaError(() => list(string().optional()), /cannot be optional/);
  });

  it('rejects bad names, reserved names, bad indexes and unknown options', () => {
    schemaError(() => defineSchema({ 'bad-name': users }), /not a valid collection name/);
    schemaError(() => defineSchema({ t: collection({ id: string() }) }), /reserved/);
    schemaError(() => defineSchema({ t: collection({ _x: string() }) }), /reserved/);
    schemaError(
      () => defineSchema({ t: collection({ a: string() }, { indexes: [{ fields: ['b' as 'a'] }] }) }),
      /not a field/,
    );
    schemaError(
      () =>
        defineSchema({
          t: collection(
            { a: string() },
            {
              indexes: [
                { name: 'i', fields: ['a'] },
                { name: 'i', fields: ['a'] },
              ],
            },
          ),
        }),
      /two indexes/,
    );
    schemaError(
      () => defineSchema({ t: collection({ a: string() }, { extra: 1 } as never) }),
      /unknown option "extra"/,
    );
    schemaError(() => defineSchema({ t: collection({ a: 'string' as never }) }), /not a field builder/);
    schemaError(() => defineSchema({ t: users }, { version: 0 }), /positive integer/);
  });
});

describe('defaults', () => {
  const s = defineSchema({
    t: collection({
      title: string(),
      done: boolean().default(false),
      note: string().optional(),
      likes: counter(),
      tags: set(string()),
      body: text(),
      steps: list(number()),
      meta: json().default({ a: 1 }),
      address: object({ country: string().default('NZ'), city: string().optional() }),
    }),
  });

  it('lists declared defaults and container empties', () => {
    expect(defaultsFor(s, 't')).toEqual({
      done: false,
      likes: 0,
      tags: [],
      body: '',
      steps: [],
      meta: { a: 1 },
      address: { country: 'NZ' },
    });
  });

  it('fills only what was never written', () => {
    expect(applyDefaults(s, 't', { title: 'x', done: true, meta: { b: 2 }, address: { city: 'Oslo' } })).toEqual({
      title: 'x',
      done: true,
      likes: 0,
      tags: [],
      body: '',
      steps: [],
      meta: { b: 2 },
      address: { country: 'NZ', city: 'Oslo' },
    });
  });

  it('throws E_NOT_FOUND for unknown collections', () => {
    expect(() => defaultsFor(s, 'nope')).toThrow(/E_NOT_FOUND/);
  });
});
