/**
 * Checks an inspect request that came from outside (a tab, a devtools build of another
 * version): every field is type- and range-checked, and unknown fields are refused, so the
 * inspect functions only see well-formed requests.
 *
 * Errors: `E_UNSUPPORTED_VERSION` when `v` is not {@link INSPECT_PROTOCOL_VERSION} (a devtools
 * build newer or older than the engine); `E_INVALID_ARGUMENT` for anything else malformed.
 */
import { WeftError } from '../errors.ts';
import { isDocId, isName } from '../ids.ts';
import {
  INSPECT_KINDS,
  INSPECT_MAX_LIMIT,
  INSPECT_PROTOCOL_VERSION,
  INSPECT_STATUSES,
  type InspectRequest,
  type InspectStatus,
  type LogFilter,
} from './inspect-protocol.ts';

const HASH = /^[0-9a-f]{64}$/;

function bad(message: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `inspect: ${message}`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(`unexpected field "${k}" in ${what}`);
}

function offsetOf(x: unknown): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) bad('offset must be a non-negative integer');
  return x;
}

function limitOf(x: unknown): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1 || x > INSPECT_MAX_LIMIT)
    bad(`limit must be an integer in 1..${INSPECT_MAX_LIMIT}`);
  return x;
}

function collectionOf(x: unknown): string {
  if (!isName(x)) bad('collection must be a collection name');
  return x;
}

function docIdOf(x: unknown): string {
  if (!isDocId(x)) bad('id must be a document id');
  return x;
}

function hashOf(x: unknown, what: string): string {
  if (typeof x !== 'string' || !HASH.test(x)) bad(`${what} must be a 64-character lower-case hex hash`);
  return x;
}

function fieldOf(x: unknown): string {
  if (typeof x !== 'string' || x.length === 0 || x.length > 600 || !x.split('.').every((s) => isName(s)))
    bad('field must be a field path (names joined by dots)');
  return x;
}

function filterOf(x: unknown): LogFilter {
  if (!isRecord(x)) bad('filter must be an object');
  onlyKeys(x, ['author', 'collection', 'doc', 'status'], 'filter');
  const out: { author?: string; collection?: string; doc?: string; status?: InspectStatus } = {};
  if (x.author !== undefined) out.author = hashOf(x.author, 'filter.author');
  if (x.collection !== undefined) out.collection = collectionOf(x.collection);
  if (x.doc !== undefined) out.doc = docIdOf(x.doc);
  if (x.status !== undefined) {
    if (!(INSPECT_STATUSES as readonly unknown[]).includes(x.status))
      bad(`filter.status must be one of ${INSPECT_STATUSES.join(', ')}`);
    out.status = x.status as InspectStatus;
  }
  return out;
}

/** Parses an untrusted inspect request; see the module comment for the errors. */
export function parseInspectRequest(input: unknown): InspectRequest {
  if (!isRecord(input)) bad('a request must be an object');
  if (input.v !== INSPECT_PROTOCOL_VERSION)
    throw new WeftError(
      'E_UNSUPPORTED_VERSION',
      `inspect protocol version ${String(input.v)} is not supported; this engine speaks version ${INSPECT_PROTOCOL_VERSION}`,
      { supported: INSPECT_PROTOCOL_VERSION },
    );
  const kind = input.kind;
  if (!(INSPECT_KINDS as readonly unknown[]).includes(kind)) bad(`unknown request kind ${JSON.stringify(kind)}`);
  const v = INSPECT_PROTOCOL_VERSION;
  switch (kind as InspectRequest['kind']) {
    case 'log': {
      onlyKeys(input, ['v', 'kind', 'offset', 'limit', 'filter'], 'log request');
      const base = { v, kind: 'log', offset: offsetOf(input.offset), limit: limitOf(input.limit) } as const;
      return input.filter === undefined ? base : { ...base, filter: filterOf(input.filter) };
    }
    case 'dag':
      onlyKeys(input, ['v', 'kind', 'offset', 'limit'], 'dag request');
      return { v, kind: 'dag', offset: offsetOf(input.offset), limit: limitOf(input.limit) };
    case 'audit': {
      onlyKeys(input, ['v', 'kind', 'collection', 'id', 'offset', 'limit'], 'audit request');
      return {
        v,
        kind: 'audit',
        collection: collectionOf(input.collection),
        id: docIdOf(input.id),
        offset: input.offset === undefined ? 0 : offsetOf(input.offset),
        limit: input.limit === undefined ? 1000 : limitOf(input.limit),
      };
    }
    case 'docAt':
      onlyKeys(input, ['v', 'kind', 'collection', 'id', 'at'], 'docAt request');
      return {
        v,
        kind: 'docAt',
        collection: collectionOf(input.collection),
        id: docIdOf(input.id),
        at: hashOf(input.at, 'at'),
      };
    case 'docsAt':
      onlyKeys(input, ['v', 'kind', 'collection', 'at', 'offset', 'limit'], 'docsAt request');
      return {
        v,
        kind: 'docsAt',
        collection: collectionOf(input.collection),
        at: hashOf(input.at, 'at'),
        offset: offsetOf(input.offset),
        limit: limitOf(input.limit),
      };
    case 'docs':
      onlyKeys(input, ['v', 'kind', 'collection', 'offset', 'limit'], 'docs request');
      return {
        v,
        kind: 'docs',
        collection: collectionOf(input.collection),
        offset: offsetOf(input.offset),
        limit: limitOf(input.limit),
      };
    case 'collections':
      onlyKeys(input, ['v', 'kind'], 'collections request');
      return { v, kind: 'collections' };
    case 'why':
      onlyKeys(input, ['v', 'kind', 'collection', 'id', 'field'], 'why request');
      return {
        v,
        kind: 'why',
        collection: collectionOf(input.collection),
        id: docIdOf(input.id),
        field: fieldOf(input.field),
      };
    case 'schema':
      onlyKeys(input, ['v', 'kind'], 'schema request');
      return { v, kind: 'schema' };
  }
}
