import { describe, expect, it } from 'vitest';
import { parseInspectRequest } from './parse-inspect-request.ts';
import { INSPECT_PROTOCOL_VERSION } from './inspect-protocol.ts';

const H = 'ab'.repeat(32);

describe('parseInspectRequest', () => {
  it('accepts every kind in its documented shape and fills audit defaults', () => {
    expect(INSPECT_PROTOCOL_VERSION).toBe(1);
    const ok: unknown[] = [
      { v: 1, kind: 'log', offset: 0, limit: 10 },
      {
        v: 1,
        kind: 'log',
        offset: 5,
        limit: 10,
        filter: { author: H, collection: 'todos', doc: 'x1', status: 'pending' },
      },
      { v: 1, kind: 'dag', offset: 0, limit: 100 },
      { v: 1, kind: 'docAt', collection: 'todos', id: 'x1', at: H },
      { v: 1, kind: 'docsAt', collection: 'todos', at: H, offset: 0, limit: 50 },
      { v: 1, kind: 'docs', collection: 'todos', offset: 0, limit: 50 },
      { v: 1, kind: 'collections' },
      { v: 1, kind: 'why', collection: 'todos', id: 'x1', field: 'meta.title' },
      { v: 1, kind: 'schema' },
    ];
    for (const r of ok) expect(parseInspectRequest(r)).toEqual(r);
    expect(parseInspectRequest({ v: 1, kind: 'audit', collection: 'todos', id: 'x1' })).toEqual({
      v: 1,
      kind: 'audit',
      collection: 'todos',
      id: 'x1',
      offset: 0,
      limit: 1000,
    });
  });

  it('refuses another protocol version with E_UNSUPPORTED_VERSION', () => {
    for (const v of [2, 0, '1', undefined])
      expect(() => parseInspectRequest({ v, kind: 'schema' })).toThrow(
        expect.objectContaining({ code: 'E_UNSUPPORTED_VERSION', details: { supported: 1 } }),
      );
  });

  it('refuses malformed requests with E_INVALID_ARGUMENT', () => {
    const bad: unknown[] = [
      null,
      'log',
      [],
      { v: 1 },
      { v: 1, kind: 'nope' },
      { v: 1, kind: 'log', offset: -1, limit: 10 },
      { v: 1, kind: 'log', offset: 0, limit: 0 },
      { v: 1, kind: 'log', offset: 0, limit: 100_000 },
      { v: 1, kind: 'log', offset: 0.5, limit: 10 },
      { v: 1, kind: 'log', offset: 0, limit: 10, filter: { status: 'weird' } },
      { v: 1, kind: 'log', offset: 0, limit: 10, filter: { author: 'AB' } },
      { v: 1, kind: 'log', offset: 0, limit: 10, filter: { extra: 1 } },
      { v: 1, kind: 'log', offset: 0, limit: 10, filter: [] },
      { v: 1, kind: 'log', offset: 0, limit: 10, extra: true },
      { v: 1, kind: 'docAt', collection: 'todos', id: 'x1', at: 'short' },
      { v: 1, kind: 'docAt', collection: '1bad', id: 'x1', at: H },
      { v: 1, kind: 'docAt', collection: 'todos', id: 'has space', at: H },
      { v: 1, kind: 'why', collection: 'todos', id: 'x1', field: '' },
      { v: 1, kind: 'why', collection: 'todos', id: 'x1', field: 'a..b' },
      { v: 1, kind: 'why', collection: 'todos', id: 'x1' },
      { v: 1, kind: 'schema', x: 1 },
    ];
    for (const r of bad)
      expect(() => parseInspectRequest(r), JSON.stringify(r)).toThrow(
        expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
      );
  });
});
