/**
 * Documents as of a change (time travel, read-only) and live document pages.
 *
 * A document as of change `at` is folded from its valid changes in `at`'s causal past, in
 * (height, hash) order, into a detached state: the live state is never touched. Verdicts are
 * today's (a change rolled back later is left out even before the revocation that undid it),
 * and documents a trusted snapshot covers show only the changes whose bodies are kept.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import { docKey, emptyDoc, materialize } from '../crdt/doc-state.ts';
import type { ChangeHash, CollectionName, DocId } from '../ids.ts';
import { sortTopological, type LogEntry } from '../log/change-log.ts';
import type { Replica } from '../replica/replica.ts';
import { causalPast } from './causal-past.ts';
import type {
  CollectionsResponse,
  DocAtRequest,
  DocAtResponse,
  DocsAtRequest,
  DocsPageResponse,
  DocsRequest,
} from './inspect-protocol.ts';

/** The valid, body-carrying changes on doc `key` that `include` accepts, in topological order. */
export function docEntries(replica: Replica, key: string, include: (h: ChangeHash) => boolean): LogEntry[] {
  const { log, state } = replica.internals;
  const out: LogEntry[] = [];
  for (const h of state.docChanges.get(key) ?? []) {
    const e = log.get(h);
    if (e !== undefined && e.status === 'applied' && e.covered === undefined && include(h)) out.push(e);
  }
  return sortTopological(out);
}

/** Folds doc `key` from the changes `include` accepts; null when not visible then. */
function foldDoc(
  replica: Replica,
  collection: string,
  id: string,
  include: (h: ChangeHash) => boolean,
): Record<string, CanonicalValue> | null {
  const { state } = replica.internals;
  const key = docKey(collection, id);
  const doc = emptyDoc(collection as CollectionName, id as DocId);
  for (const e of docEntries(replica, key, include)) state.applyDetached(e.sc, key, doc);
  return materialize(doc, state.seqHooks) ?? null;
}

/** Answers a `docAt` request; `E_NOT_FOUND` when `at` is not stored. */
export function inspectDocAt(replica: Replica, req: DocAtRequest): DocAtResponse {
  const past = causalPast(replica.internals.log, req.at as ChangeHash);
  return { doc: foldDoc(replica, req.collection, req.id, (h) => past.has(h)) };
}

/** Answers a `docsAt` request: documents with a valid write in `at`'s past, by id. */
export function inspectDocsAt(replica: Replica, req: DocsAtRequest): DocsPageResponse {
  const { log, state } = replica.internals;
  const past = causalPast(log, req.at as ChangeHash);
  const prefix = `${req.collection}/`;
  const ids: string[] = [];
  for (const [key, hashes] of state.docChanges) {
    if (!key.startsWith(prefix)) continue;
    if (hashes.some((h) => past.has(h) && log.get(h)?.status === 'applied')) ids.push(key.slice(prefix.length));
  }
  ids.sort();
  const docs = ids
    .slice(req.offset, req.offset + req.limit)
    .map((id) => ({ id, doc: foldDoc(replica, req.collection, id, (h) => past.has(h)) }));
  return { total: ids.length, docs };
}

/** Answers a `docs` request: live visible documents of a collection, by id. */
export function inspectDocs(replica: Replica, req: DocsRequest): DocsPageResponse {
  const { state } = replica.internals;
  const ids: string[] = [];
  for (const doc of state.docs.values()) if (doc.c === req.collection && doc.alive) ids.push(doc.d);
  ids.sort();
  // Only the page is materialized: a collection may hold 100,000 documents.
  const docs = ids
    .slice(req.offset, req.offset + req.limit)
    .map((id) => ({ id, doc: state.get(req.collection, id) ?? null }));
  return { total: ids.length, docs };
}

/** Answers a `collections` request: collections with visible documents, by name. */
export function inspectCollections(replica: Replica): CollectionsResponse {
  const counts = new Map<string, number>();
  for (const doc of replica.internals.state.docs.values())
    if (doc.alive) counts.set(doc.c, (counts.get(doc.c) ?? 0) + 1);
  return {
    collections: [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, docs]) => ({ name, docs })),
  };
}
