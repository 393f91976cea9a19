import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { DocOp } from '../change/op.ts';
import type { CollectionName, DocId } from '../ids.ts';
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
  set,
  string,
  text,
  validateOps,
  type PastView,
} from './index.ts';

const schema = defineSchema({
  users: collection({ name: string() }),
  lists: collection({
    title: text().maxLength(10),
    owner: ref('users'),
    items: list(ref('users')),
    nums: list(number()),
  }),
  todos: collection({
    list: ref('lists'),
    title: string().minLength(1).maxLength(5),
    code: string()
      .pattern(/^[a-z]+$/)
      .optional(),
    status: string().oneOf(['open', 'done']).default('open'),
    order: number().min(0).max(10),
    whole: number().integer().optional(),
    due: date().optional(),
    done: boolean().default(false),
    meta: json().optional(),
    likes: counter(),
    tags: set(string().maxLength(3)),
    watchers: set(ref('users')),
    assignee: ref('users').optional(),
    address: object({ city: string(), zip: string().optional(), geo: object({ lat: number() }).optional() }),
    extra: object({ a: string(), b: number().optional() }).optional(),
  }),
});

/** A fake causal past: `collection/id` → visible fields. */
function view(docs: Record<string, Record<string, CanonicalValue>> = {}): PastView {
  return { doc: (c, d) => docs[`${c}/${d}`] };
}

const base = view({
  'users/u1': { name: 'Ann' },
  'lists/l1': { title: 'hello', owner: 'u1' },
  'todos/t1': { title: 'old' },
});

const c = (s: string) => s as CollectionName;
const d = (s: string) => s as DocId;
const setOp = (coll: string, id: string, path: string, v: CanonicalValue): DocOp => ({
  k: 'set',
  c: c(coll),
  d: d(id),
  p: path.split('.'),
  v,
});
const del = (coll: string, id: string): DocOp => ({ k: 'del', c: c(coll), d: d(id) });
const seq = (coll: string, id: string, path: string, x: CanonicalValue): DocOp => ({
  k: 'seq',
  c: c(coll),
  d: d(id),
  p: [path],
  x,
});

/** A complete, valid new todo. */
function newTodo(id = 'tn', over: Record<string, CanonicalValue> = {}): DocOp[] {
  const fields: Record<string, CanonicalValue> = {
    list: 'l1',
    title: 'milk',
    order: 1,
    address: { city: 'Oslo' },
    ...over,
  };
  return Object.entries(fields).map(([k, v]) => setOp('todos', id, k, v));
}

function verdict(ops: DocOp[], v: PastView = base) {
  return validateOps(schema, ops, v);
}

function expectCode(ops: DocOp[], code: 'E_SCHEMA' | 'E_VALIDATION', text?: RegExp, v: PastView = base): void {
  const r = verdict(ops, v);
  expect(r?.code, JSON.stringify(r)).toBe(code);
  if (text !== undefined) expect(r?.message).toMatch(text);
}

describe('validateOps: shape (E_SCHEMA)', () => {
  it('accepts a valid create and updates', () => {
    expect(verdict(newTodo())).toBeNull();
    expect(verdict([setOp('todos', 't1', 'done', true)])).toBeNull();
  });

  it('rejects unknown collections and fields, naming them', () => {
    expectCode([setOp('nope', 'x', 'a', 1)], 'E_SCHEMA', /nope\/x: unknown collection "nope"/);
    expectCode([setOp('todos', 't1', 'nope', 1)], 'E_SCHEMA', /todos\/t1: unknown field "nope"/);
    expectCode([setOp('todos', 't1', 'address.nope', 1)], 'E_SCHEMA', /unknown field "address.nope"/);
    expectCode([setOp('todos', 't1', 'title.x', 1)], 'E_SCHEMA', /unknown field "title.x"/);
    expectCode([setOp('todos', 't1', 'address', { city: 'x', nope: 1 })], 'E_SCHEMA', /unknown field "address.nope"/);
  });

  it('rejects op kinds that do not fit the field type', () => {
    expectCode(
      [{ k: 'inc', c: c('todos'), d: d('t1'), p: ['title'], n: 1 }],
      'E_SCHEMA',
      /"title" is a string: cannot inc/,
    );
    expectCode([setOp('todos', 't1', 'likes', 3)], 'E_SCHEMA', /"likes" is a counter: cannot set it \(increment/);
    expectCode([seq('todos', 't1', 'order', [0, null, null, 'x'])], 'E_SCHEMA', /is a number: cannot seq/);
    expectCode([{ k: 'add', c: c('todos'), d: d('t1'), p: ['title'], v: 'x' }], 'E_SCHEMA', /cannot add/);
    expectCode([setOp('todos', 't1', 'tags', ['x'])], 'E_SCHEMA', /is a set/);
    expectCode([setOp('lists', 'l1', 'title', 'x')], 'E_SCHEMA', /is a text/);
    expectCode([seq('lists', 'l1', 'title', [0, null, null, ['x']])], 'E_SCHEMA', /is text: cannot insert list/);
    expectCode([seq('lists', 'l1', 'nums', [0, null, null, 'x'])], 'E_SCHEMA', /is a list: cannot insert text/);
    expectCode([seq('lists', 'l1', 'title', [2, [0, 1], null, null, 1])], 'E_SCHEMA', /only lists support moves/);
    expectCode([{ k: 'inc', c: c('todos'), d: d('t1'), p: ['meta', 'x'], n: 1 }], 'E_SCHEMA', /inside a json field/);
  });

  it('accepts each field kind written the right way', () => {
    const ok: DocOp[] = [
      { k: 'inc', c: c('todos'), d: d('t1'), p: ['likes'], n: -3 },
      { k: 'add', c: c('todos'), d: d('t1'), p: ['tags'], v: 'abc' },
      { k: 'rem', c: c('todos'), d: d('t1'), p: ['tags'], v: 'anything at all', t: [] },
      seq('lists', 'l1', 'title', [1, [0, 1, 3]]),
      seq('lists', 'l1', 'nums', [0, null, null, [1, 2]]),
      seq('lists', 'l1', 'nums', [2, [0, 1], null, null, 1]),
      setOp('todos', 't1', 'meta', { any: [1, 'x', new Uint8Array([1])] }),
      setOp('todos', 't1', 'meta.deep.path', null),
      setOp('todos', 't1', 'due', 1_700_000_000_000),
      setOp('todos', 't1', 'address.geo.lat', 1.5),
    ];
    expect(verdict(ok)).toBeNull();
  });

  it('accepts the empty-insert marker and deletes of anything', () => {
    expect(verdict([setOp('users', 'u9', '_created', true), setOp('users', 'u9', 'name', 'Bo')])).toBeNull();
    expectCode([setOp('users', 'u9', '_created', true)], 'E_VALIDATION', /field "name" fails required/);
    expectCode([setOp('users', 'u9', '_created', false)], 'E_SCHEMA', /_created/);
    expect(verdict([del('todos', 'whatever')])).toBeNull();
  });
});

describe('validateOps: values (E_VALIDATION)', () => {
  const cases: [string, CanonicalValue, RegExp][] = [
    ['title', 3, /"title" fails type\(string\): got number/],
    ['done', 'yes', /"done" fails type\(boolean\)/],
    ['order', '1', /"order" fails type\(number\)/],
    ['due', 1.5, /"due" fails type\(date\)/],
    ['due', '2024-01-01', /"due" fails type\(date\)/],
    ['order', -1, /"order" fails min\(0\): got -1/],
    ['order', 11, /"order" fails max\(10\): got 11/],
    ['whole', 1.5, /"whole" fails integer/],
    ['title', '', /"title" fails minLength\(1\)/],
    ['title', 'toolong', /"title" fails maxLength\(5\): 7 characters/],
    ['code', 'ABC', /"code" fails pattern\(\/\^\[a-z\]\+\$\/\)/],
    ['status', 'closed', /"status" fails oneOf/],
    ['title', null, /"title" fails required: null/],
    ['address', { zip: '1' }, /"address.city" fails required/],
    ['address.city', 5, /"address.city" fails type\(string\)/],
    ['address', { city: 'x', geo: { lat: 'n' } }, /"address.geo.lat" fails type\(number\)/],
    ['assignee', 'not a doc id!', /"assignee" fails ref\(users\): not a doc id/],
  ];
  for (const [path, value, message] of cases)
    it(`rejects ${path} = ${JSON.stringify(value)}`, () => {
      expectCode([setOp('todos', 't1', path, value)], 'E_VALIDATION', message);
      expect(verdict([setOp('todos', 't1', path, value)])?.message).toMatch(/^todos\/t1: /);
    });

  it('accepts the boundaries and valid values', () => {
    const ok = [
      setOp('todos', 't1', 'order', 0),
      setOp('todos', 't1', 'order', 10),
      setOp('todos', 't1', 'title', '👍👍👍👍👍'), // 5 code points, 10 UTF-16 units
      setOp('todos', 't1', 'code', 'abc'),
      setOp('todos', 't1', 'status', 'done'),
      setOp('todos', 't1', 'code', null), // optional: null clears it
      setOp('todos', 't1', 'assignee', null),
      setOp('todos', 't1', 'whole', 7),
    ];
    expect(verdict(ok)).toBeNull();
  });

  it('checks set elements on add', () => {
    const add = (path: string, v: CanonicalValue): DocOp => ({ k: 'add', c: c('todos'), d: d('t1'), p: [path], v });
    expectCode([add('tags', 1)], 'E_VALIDATION', /"tags\[\]" fails type\(string\)/);
    expectCode([add('tags', 'abcd')], 'E_VALIDATION', /"tags\[\]" fails maxLength\(3\)/);
    expectCode([add('tags', null)], 'E_VALIDATION', /required/);
  });

  it('checks list insertions and text length', () => {
    expectCode(
      [seq('lists', 'l1', 'nums', [0, null, null, [1, 'x']])],
      'E_VALIDATION',
      /"nums\[\]" fails type\(number\)/,
    );
    // "hello" (5) + 6 inserted = 11 > 10
    expectCode(
      [seq('lists', 'l1', 'title', [0, null, null, 'world!'])],
      'E_VALIDATION',
      /"title" fails maxLength\(10\): would hold 11/,
    );
    expect(verdict([seq('lists', 'l1', 'title', [0, null, null, 'world'])])).toBeNull();
    // deleting 2 in the same change makes room
    expect(
      verdict([seq('lists', 'l1', 'title', [1, [0, 1, 2]]), seq('lists', 'l1', 'title', [0, null, null, 'world!'])]),
    ).toBeNull();
    // a deleted-then-rewritten doc starts empty
    expect(
      verdict([
        del('lists', 'l1'),
        seq('lists', 'l1', 'title', [0, null, null, 'ten chars!']),
        setOp('lists', 'l1', 'owner', 'u1'),
      ]),
    ).toBeNull();
  });
});

describe('validateOps: required fields on create', () => {
  it('requires every required field without a default when a doc is created', () => {
    for (const missing of ['list', 'title', 'order']) {
      const ops = newTodo('tn').filter((op) => op.k !== 'set' || op.p[0] !== missing);
      expectCode(
        ops,
        'E_VALIDATION',
        new RegExp(`todos/tn: field "${missing}" fails required: not set by the change that creates`),
      );
    }
  });

  it('does not require defaults, containers or optional fields', () => {
    expect(verdict(newTodo('tn'))).toBeNull(); // no status, done, likes, tags, code, extra…
  });

  it('requires the required sub-fields of required objects, and of optional ones once touched', () => {
    expectCode(newTodo('tn', { address: { zip: '1' } }), 'E_VALIDATION', /"address.city" fails required/);
    const split = newTodo('tn').filter((op) => op.k !== 'set' || op.p[0] !== 'address');
    expectCode(
      [...split, setOp('todos', 'tn', 'address.zip', '1')],
      'E_VALIDATION',
      /field "address.city" fails required/,
    );
    expect(verdict([...split, setOp('todos', 'tn', 'address.city', 'Oslo')])).toBeNull();
    expectCode(
      [...newTodo('tn'), setOp('todos', 'tn', 'extra.b', 1)],
      'E_VALIDATION',
      /field "extra.a" fails required/,
    );
    expect(verdict([...newTodo('tn'), setOp('todos', 'tn', 'extra', { a: 'x' })])).toBeNull();
  });

  it('does not apply to updates of existing docs, or to docs the change deletes', () => {
    expect(verdict([setOp('todos', 't1', 'order', 2)])).toBeNull();
    expect(verdict([setOp('todos', 'tn', 'order', 2), del('todos', 'tn')])).toBeNull();
  });

  it('applies to a doc restored after a delete in the same change', () => {
    expectCode(
      [del('todos', 't1'), setOp('todos', 't1', 'order', 2)],
      'E_VALIDATION',
      /todos\/t1: field "list" fails required/,
    );
    expect(verdict([del('todos', 't1'), ...newTodo('t1')])).toBeNull();
  });
});

describe('validateOps: references', () => {
  it('accepts refs to docs visible at the causal past', () => {
    expect(verdict([setOp('todos', 't1', 'assignee', 'u1')])).toBeNull();
  });

  it('rejects refs to missing docs, or docs of another collection', () => {
    expectCode(
      [setOp('todos', 't1', 'assignee', 'u2')],
      'E_VALIDATION',
      /todos\/t1: field "assignee" fails ref\(users\): no document users\/u2/,
    );
    expectCode([setOp('todos', 't1', 'assignee', 'l1')], 'E_VALIDATION', /no document users\/l1/);
    expectCode(newTodo('tn', { list: 'nope' }), 'E_VALIDATION', /"list" fails ref\(lists\)/);
  });

  it('accepts refs to docs the same change creates, not to docs it deletes', () => {
    expect(verdict([setOp('users', 'u2', 'name', 'Bo'), setOp('todos', 't1', 'assignee', 'u2')])).toBeNull();
    expect(verdict([setOp('todos', 't1', 'assignee', 'u2'), setOp('users', 'u2', 'name', 'Bo')])).toBeNull();
    expectCode([setOp('todos', 't1', 'assignee', 'u1'), del('users', 'u1')], 'E_VALIDATION', /no document users\/u1/);
  });

  it('rejects null for a required ref, accepts it for an optional one', () => {
    expectCode([setOp('todos', 't1', 'list', null)], 'E_VALIDATION', /"list" fails required/);
    expect(verdict([setOp('todos', 't1', 'assignee', null)])).toBeNull();
  });

  it('checks refs held in set elements and list insertions', () => {
    const add = (v: string): DocOp => ({ k: 'add', c: c('todos'), d: d('t1'), p: ['watchers'], v });
    expect(verdict([add('u1')])).toBeNull();
    expectCode([add('u3')], 'E_VALIDATION', /"watchers\[\]" fails ref\(users\): no document users\/u3/);
    expect(verdict([seq('lists', 'l1', 'items', [0, null, null, ['u1']])])).toBeNull();
    expectCode(
      [seq('lists', 'l1', 'items', [0, null, null, ['u1', 'u4']])],
      'E_VALIDATION',
      /"items\[\]" fails ref\(users\)/,
    );
  });
});
