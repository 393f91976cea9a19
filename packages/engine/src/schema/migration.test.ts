import { describe, expect, it } from 'vitest';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { DocOp } from '../change/op.ts';
import type { CollectionName, DocId } from '../ids.ts';
import {
  addCollection,
  addField,
  boolean,
  changeField,
  changeRule,
  collection,
  counter,
  defaultsFor,
  defineSchema,
  dropCollection,
  dropField,
  number,
  ref,
  renameField,
  rules,
  string,
  translateOps,
  translateOpsAligned,
  validateOps,
} from './index.ts';

const v1 = defineSchema({
  users: collection({ name: string() }),
  todos: collection(
    {
      title: string(),
      done: boolean().default(false),
      legacy: string().optional(),
      owner: ref('users'),
      likes: counter(),
    },
    {
      allow: { update: rules.isOwner('owner') },
      indexes: [{ fields: ['owner', 'title'] }, { name: 'byLegacy', fields: ['legacy'] }],
    },
  ),
});

const v2 = v1.migrate({
  version: 2,
  steps: [
    addField('todos', 'priority', number().default(0)),
    renameField('todos', 'title', 'name'),
    dropField('todos', 'legacy'),
    changeRule('todos', { allow: { update: rules.or(rules.isOwner('owner'), rules.isRoot()) } }),
  ],
});

const op = {
  set: (d: string, path: string, v: CanonicalValue, c = 'todos'): DocOp => ({
    k: 'set',
    c: c as CollectionName,
    d: d as DocId,
    p: path.split('.'),
    v,
  }),
  inc: (d: string, path: string): DocOp => ({ k: 'inc', c: 'todos' as CollectionName, d: d as DocId, p: [path], n: 1 }),
  del: (d: string, c = 'todos'): DocOp => ({ k: 'del', c: c as CollectionName, d: d as DocId }),
};

describe('migrate', () => {
  it('builds the next version and remembers its predecessors', () => {
    expect(v2.version).toBe(2);
    expect(v2.hash).not.toBe(v1.hash);
    expect([...v2.history.keys()]).toEqual([v1.hash]);
    expect(v2.knows(v1.hash) && v2.knows(v2.hash)).toBe(true);
    expect(v1.knows(v2.hash)).toBe(false);
    expect(v2.byHash(v1.hash)).toBe(v1);
    expect(v2.byHash(v2.hash)).toBe(v2);
    expect(v2.byHash('0'.repeat(64))).toBeUndefined();
    expect(Object.keys(v2.collections.todos!.fields).sort()).toEqual(['done', 'likes', 'name', 'owner', 'priority']);
    expect(v2.collections.todos!.allow.update).toEqual(rules.or(rules.isOwner('owner'), rules.isRoot()));
    expect(defaultsFor(v2, 'todos')).toEqual({ done: false, likes: 0, priority: 0 });
  });

  it('rewrites renamed fields in rules and indexes, and drops indexes on dropped fields', () => {
    const v = v1.migrate({
      version: 2,
      steps: [renameField('todos', 'owner', 'ownerId'), dropField('todos', 'legacy')],
    });
    expect(v.collections.todos!.allow.update).toEqual(rules.isOwner('ownerId'));
    expect(v.collections.todos!.indexes).toEqual([{ name: 'todos.owner,title', fields: ['ownerId', 'title'] }]);
  });

  it('supports adding, changing and dropping collections and fields', () => {
    const v = v1.migrate({
      version: 5,
      steps: [
        addCollection('tags', collection({ label: string() }, { indexes: [{ fields: ['label'] }] })),
        changeField('todos', 'title', string().maxLength(10)),
        addField('todos', 'tag', ref('tags').optional()),
        dropCollection('tags'),
        dropField('todos', 'tag'),
      ],
    });
    expect(v.collections.todos!.fields.title).toEqual({ type: 'string', maxLength: 10 });
    expect(v.collection('tags')).toBeUndefined();
  });

  it('rejects steps that would break the schema, with E_SCHEMA', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => v1.migrate({ version: 1, steps: [] }), /must be above 1/],
      [() => v1.migrate({ version: 2, steps: [addField('todos', 'x', string())] }), /needs a default or .optional\(\)/],
      [
        () => v1.migrate({ version: 2, steps: [addField('todos', 'done', string().optional())] }),
        /already has a field "done"/,
      ],
      [() => v1.migrate({ version: 2, steps: [renameField('todos', 'title', 'done')] }), /already has a field "done"/],
      [() => v1.migrate({ version: 2, steps: [renameField('todos', 'nope', 'x')] }), /has no field "nope"/],
      [() => v1.migrate({ version: 2, steps: [dropField('nope', 'x')] }), /unknown collection "nope"/],
      [() => v1.migrate({ version: 2, steps: [changeField('todos', 'title', number())] }), /cannot change type/],
      [() => v1.migrate({ version: 2, steps: [dropField('todos', 'owner')] }), /no field "owner"/],
      [() => v1.migrate({ version: 2, steps: [dropCollection('users')] }), /unknown collection "users"/],
      [() => v1.migrate({ version: 2, steps: [addCollection('todos', collection({}))] }), /already exists/],
    ];
    for (const [fn, message] of bad) expect(fn).toThrow(message);
    // A later step may repair what an earlier one broke: the result is checked as a whole.
    const ok = v1.migrate({
      version: 2,
      steps: [dropField('todos', 'owner'), changeRule('todos', { allow: { update: rules.isCreator() } })],
    });
    expect(ok.collections.todos!.fields.owner).toBeUndefined();
  });
});

describe('translateOps', () => {
  const oldCreate = [
    op.set('t1', 'title', 'milk'),
    op.set('t1', 'legacy', 'x'),
    op.set('t1', 'owner', 'u1'),
    op.inc('t1', 'likes'),
  ];

  it('rewrites old ops forward: renamed paths follow, dropped fields go, the rest stays', () => {
    expect(translateOps(v1, v2, oldCreate)).toEqual([
      op.set('t1', 'name', 'milk'),
      op.set('t1', 'owner', 'u1'),
      op.inc('t1', 'likes'),
    ]);
    expect(translateOps(v1, v2, [op.del('t1'), op.set('u1', 'name', 'Ann', 'users')])).toEqual([
      op.del('t1'),
      op.set('u1', 'name', 'Ann', 'users'),
    ]);
  });

  it('keeps positions when aligned (op ids tag set elements and sequence elements)', () => {
    expect(translateOpsAligned(v1, v2, oldCreate)).toEqual([
      op.set('t1', 'name', 'milk'),
      null,
      op.set('t1', 'owner', 'u1'),
      op.inc('t1', 'likes'),
    ]);
  });

  it('translated old creates validate against the new schema', () => {
    const view = { doc: (c: string, d: string) => (c === 'users' && d === 'u1' ? { name: 'Ann' } : undefined) };
    expect(validateOps(v1, oldCreate, view)).toBeNull();
    expect(validateOps(v2, translateOps(v1, v2, oldCreate), view)).toBeNull();
    expect(validateOps(v2, oldCreate, view)?.code).toBe('E_SCHEMA');
  });

  it('rewrites new ops backward: renamed back, added fields dropped', () => {
    const newOps = [op.set('t1', 'name', 'milk'), op.set('t1', 'priority', 3), op.set('t1', 'done', true)];
    expect(translateOps(v2, v1, newOps)).toEqual([op.set('t1', 'title', 'milk'), op.set('t1', 'done', true)]);
  });

  it('keeps a created doc alive when every write to it was dropped', () => {
    expect(translateOps(v1, v2, [op.set('t9', 'legacy', 'x')])).toEqual([
      { k: 'set', c: 'todos', d: 't9', p: ['_created'], v: true },
    ]);
    expect(translateOps(v2, v1, [op.del('t9'), op.set('t9', 'priority', 1)])).toEqual([
      op.del('t9'),
      { k: 'set', c: 'todos', d: 't9', p: ['_created'], v: true },
    ]);
  });

  it('follows chains of versions in both directions', () => {
    const v3 = v2.migrate({
      version: 3,
      steps: [renameField('todos', 'name', 'label'), addCollection('tags', collection({ label: string() }))],
    });
    expect([...v3.history.keys()]).toEqual([v1.hash, v2.hash]);
    expect(translateOps(v1, v3, [op.set('t1', 'title', 'a')])).toEqual([op.set('t1', 'label', 'a')]);
    expect(translateOps(v3, v1, [op.set('t1', 'label', 'a'), op.set('g1', 'label', 'x', 'tags')])).toEqual([
      op.set('t1', 'title', 'a'),
    ]);
    expect(translateOps(v3, v3, oldCreate)).toEqual(oldCreate);
  });

  it('drops ops on dropped collections', () => {
    const v = v1.migrate({
      version: 2,
      steps: [dropField('todos', 'owner'), changeRule('todos', { allow: {} }), dropCollection('users')],
    });
    expect(
      translateOps(v1, v, [op.set('u1', 'name', 'x', 'users'), op.del('u1', 'users'), op.set('t1', 'done', true)]),
    ).toEqual([op.set('t1', 'done', true)]);
  });

  it('refuses schemas of different lineages', () => {
    const other = defineSchema({ todos: collection({ title: string() }) });
    expect(() => translateOps(v1, other, [])).toThrow(/E_SCHEMA.*share no migration path/);
  });
});
