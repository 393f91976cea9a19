import { describe, expect, it } from 'vitest';
import { encode, type CanonicalValue } from '../encoding/canonical.ts';
import { hashWithDomain } from '../crypto/sha256.ts';
import { toHex } from '../bytes.ts';
import { isWeftError } from '../errors.ts';
import {
  addField,
  boolean,
  collection,
  defineSchema,
  dropField,
  encodeSchema,
  decodeSchema,
  maxLength,
  number,
  object,
  ref,
  renameField,
  rules,
  schemaFromCanonical,
  set,
  string,
  text,
} from './index.ts';

/** Knobs of the `todos` collection; each non-default setting must change the hash. */
interface Knobs {
  maxLen?: number;
  flags?: string;
  done?: boolean;
  tags?: string[];
  minX?: number;
  atRequired?: boolean;
  creatorOnly?: boolean;
  index?: ('list' | 'title')[] | null;
  doneAsNumber?: boolean;
  version?: number;
}

function build(k: Knobs = {}) {
  const fields = {
    list: ref('lists'),
    title: string()
      .maxLength(k.maxLen ?? 100)
      .pattern(new RegExp('^\\w', k.flags ?? '')),
    done: k.doneAsNumber === true ? number().default(0) : boolean().default(k.done ?? false),
    tags: set(string().oneOf(k.tags ?? ['a', 'b'])),
    at:
      k.atRequired === true
        ? object({ x: number().min(k.minX ?? 0) })
        : object({ x: number().min(k.minX ?? 0) }).optional(),
  };
  const allow = { write: k.creatorOnly === true ? rules.isCreator() : rules.canWrite('list') };
  const index = k.index === undefined ? (['list'] as const) : k.index;
  return defineSchema(
    {
      users: collection({ name: string() }),
      lists: collection(
        { title: text(), owner: ref('users') },
        { allow: { update: rules.isOwner('owner') }, validate: { title: maxLength(200) } },
      ),
      todos: collection(fields, index === null ? { allow } : { allow, indexes: [{ fields: index }] }),
    },
    k.version === undefined ? {} : { version: k.version },
  );
}

describe('schema hash', () => {
  it('is the domain-separated sha256 of the canonical encoding', () => {
    const s = build();
    expect(s.hash).toBe(toHex(hashWithDomain('weft/schema/v1', encode(s.toCanonical()))));
    expect(encodeSchema(s)).toEqual(encode(s.toCanonical()));
  });

  it('is stable: the same schema built twice has the same hash', () => {
    expect(build().hash).toBe(build().hash);
  });

  it('ignores key order in the source objects', () => {
    const a = defineSchema({
      a: collection({ x: string(), y: number() }, { allow: { create: rules.allow(), delete: rules.deny() } }),
      b: collection({ z: boolean() }),
    });
    const b = defineSchema({
      b: collection({ z: boolean() }),
      a: collection({ y: number(), x: string() }, { allow: { delete: rules.deny(), create: rules.allow() } }),
    });
    expect(b.hash).toBe(a.hash);
  });

  it('changes with any constraint, type, default, rule, index or version', () => {
    const variants: Knobs[] = [
      { maxLen: 101 },
      { flags: 'i' },
      { done: true },
      { tags: ['b', 'a'] },
      { minX: 1 },
      { atRequired: true },
      { creatorOnly: true },
      { index: ['list', 'title'] },
      { index: null },
      { doneAsNumber: true },
      { version: 2 },
    ];
    const hashes = new Set([build().hash, ...variants.map((k) => build(k).hash)]);
    expect(hashes.size).toBe(variants.length + 1);
  });
});

describe('canonical round trip', () => {
  it('decodes to the same compiled schema and hash (value and bytes)', () => {
    const s = build();
    const back = schemaFromCanonical(s.toCanonical());
    expect(back.hash).toBe(s.hash);
    expect(back.collections).toEqual(s.collections);
    expect(back.version).toBe(s.version);
    expect(decodeSchema(encodeSchema(s)).hash).toBe(s.hash);
  });

  it('round-trips a migrated version given its predecessor', () => {
    const v1 = build();
    const v2 = v1.migrate({
      version: 2,
      steps: [
        addField('todos', 'prio', number().default(0)),
        renameField('todos', 'title', 'name'),
        dropField('todos', 'tags'),
      ],
    });
    const back = schemaFromCanonical(encodeSchema(v2), [schemaFromCanonical(encodeSchema(v1))]);
    expect(back.hash).toBe(v2.hash);
    expect(back.knows(v1.hash)).toBe(true);
    expect(back.migration?.prev).toBe(v1.hash);
    expect(() => schemaFromCanonical(v2.toCanonical())).toThrow(/predecessor .* is unknown/);
  });

  it('rejects anything that is not exactly a canonical schema', () => {
    const c = build().toCanonical() as Record<string, CanonicalValue>;
    const cols = c.collections as Record<string, CanonicalValue>;
    const bad = [
      { ...c, extra: 1 },
      { ...c, v: 2 },
      { ...c, version: -1 },
      { ...c, collections: { ...cols, x: { fields: { a: { type: 'nope' } } } } },
      { ...c, collections: { ...cols, x: { fields: { a: { type: 'string', maxLength: -1 } } } } },
      { ...c, collections: { ...cols, x: { fields: {}, validate: {} } } },
      { ...c, collections: { x: { fields: { a: { type: 'string' } }, indexes: [{ fields: ['a'] }], allow: {} } } },
      {
        ...c,
        collections: {
          x: {
            fields: { a: { type: 'string' } },
            allow: { write: { r: 'can', action: 'update', collection: '', field: 'a' } },
          },
        },
      },
      'nope',
    ];
    for (const value of bad) {
      let err: unknown;
      try {
        schemaFromCanonical(value);
      } catch (e) {
        err = e;
      }
      expect(isWeftError(err, 'E_SCHEMA'), `${JSON.stringify(value).slice(0, 80)}: ${String(err)}`).toBe(true);
    }
  });

  it('rejects a forged migration record', () => {
    const v1 = build();
    const v2 = v1.migrate({ version: 2, steps: [renameField('todos', 'title', 'name')] });
    const forged = { ...(v2.toCanonical() as Record<string, CanonicalValue>), steps: [] };
    expect(() => schemaFromCanonical(forged, [v1])).toThrow(/do not produce these collections/);
  });
});
