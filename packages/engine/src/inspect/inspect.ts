/**
 * One entry point for every inspect request: `inspect(target, request)` dispatches on `kind`.
 * Requests from outside must go through `parseInspectRequest` first; everything here is
 * read-only and synchronous, so a host answers from its own thread between commits.
 */
import type { InspectRequest, InspectResponseOf, CollectionsResponse } from './inspect-protocol.ts';
import type { InspectTarget } from './inspect-target.ts';
import { inspectDag, inspectLog } from './log-view.ts';
import { inspectAudit } from './audit-trail.ts';
import { inspectCollections, inspectDocAt, inspectDocs, inspectDocsAt } from './doc-history.ts';
import { inspectWhy } from './why-value.ts';
import { inspectSchema } from './schema-view.ts';

/** Collections with documents, plus the schema's empty ones (count 0). */
function collections(target: InspectTarget): CollectionsResponse {
  const live = inspectCollections(target.replica).collections;
  const names = new Set(live.map((c) => c.name));
  const empty = Object.keys(target.schema?.collections ?? {})
    .filter((n) => !names.has(n))
    .map((name) => ({ name, docs: 0 }));
  return { collections: [...live, ...empty].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) };
}

/** Answers a well-formed inspect request about `target`. */
export function inspect<R extends InspectRequest>(target: InspectTarget, request: R): InspectResponseOf<R> {
  const r = target.replica;
  const req = request as InspectRequest;
  let out: unknown;
  switch (req.kind) {
    case 'log':
      out = inspectLog(r, req);
      break;
    case 'dag':
      out = inspectDag(r, req);
      break;
    case 'audit':
      out = inspectAudit(r, req);
      break;
    case 'docAt':
      out = inspectDocAt(r, req);
      break;
    case 'docsAt':
      out = inspectDocsAt(r, req);
      break;
    case 'docs':
      out = inspectDocs(r, req);
      break;
    case 'collections':
      out = collections(target);
      break;
    case 'why':
      out = inspectWhy(r, req);
      break;
    case 'schema':
      out = inspectSchema(target.schema);
      break;
  }
  return out as InspectResponseOf<R>;
}
