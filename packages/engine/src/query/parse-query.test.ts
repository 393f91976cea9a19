import { describe, expect, it } from 'vitest';
import { WeftError } from '../errors.ts';
import { parseQuery } from './query-spec.ts';
import { query } from './query-builder.ts';

function rejects(input: unknown): void {
  try {
    parseQuery(input);
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    expect((err as WeftError).code).toBe('E_INVALID_ARGUMENT');
    return;
  }
  expect.unreachable(`accepted ${JSON.stringify(input)}`);
}

describe('parseQuery (untrusted plain data)', () => {
  it('accepts what the builder makes', () => {
    const q = query('todos').where('done', '==', false).orderBy('order', 'desc').limit(5).spec;
    expect(parseQuery(structuredClone(q))).toEqual(q);
  });

  it('rejects malformed queries with E_INVALID_ARGUMENT, never a TypeError', () => {
    const ok = query('todos').spec;
    for (const bad of [
      null,
      7,
      [],
      { collection: 'todos' },
      { ...ok, extra: 1 },
      { ...ok, orderBy: 'x' },
      { ...ok, include: null },
      { ...ok, where: { kind: 'cmp' } },
      { ...ok, where: { kind: 'and', of: 'x' } },
      { ...ok, where: { kind: 'cmp', field: 'a', op: '==', value: undefined } },
      { ...ok, orderBy: [null] },
      { ...ok, orderBy: [{ field: 'a', dir: 'up' }] },
      { ...ok, limit: -1 },
      { ...ok, after: { k: 'x', id: 1 } },
      { ...ok, include: [{ field: 'list' }] },
      { ...ok, collection: 'no spaces' },
    ])
      rejects(bad);
  });
});
