/**
 * The inspect protocol: plain-data requests and responses the devtools (or any tool) use to look
 * inside a replica — its change log and DAG, a document's history, why a field has its value,
 * and the schema. It is versioned on its own (`v`), independently of the sync protocol, so a
 * devtools build can tell it talks to a worker that speaks another version.
 *
 * Everything here survives structured clone (worker ports) and is read-only: no request changes
 * the replica.
 */
import type { Hlc } from '../clock/hlc.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { AuthorId, ChangeHash } from '../ids.ts';

/** The inspect protocol version this engine speaks. */
export const INSPECT_PROTOCOL_VERSION = 1 as const;

/** A change's status as inspection reports it. */
export const INSPECT_STATUSES = ['applied', 'pending', 'rejected', 'rolledBack'] as const;
/** One of {@link INSPECT_STATUSES}: `rolledBack` = applied first, rejected later. */
export type InspectStatus = (typeof INSPECT_STATUSES)[number];

/** Most rows one page request may ask for. */
export const INSPECT_MAX_LIMIT = 5000;

/** Filters of a log request; every given one must match. */
export interface LogFilter {
  readonly author?: string;
  /** The change has an op on this collection. */
  readonly collection?: string;
  /** The change has an op on this document id (in `collection`, when given). */
  readonly doc?: string;
  readonly status?: InspectStatus;
}

/** A page of the change log, in arrival order (newest last); pending changes come last. */
export interface LogRequest {
  readonly v: 1;
  readonly kind: 'log';
  readonly offset: number;
  readonly limit: number;
  readonly filter?: LogFilter;
}

/** A page of the DAG (arrival order, like an unfiltered log), with a lane per author. */
export interface DagRequest {
  readonly v: 1;
  readonly kind: 'dag';
  readonly offset: number;
  readonly limit: number;
}

/** A document's audit trail: every op on it, oldest first (topological order). */
export interface AuditRequest {
  readonly v: 1;
  readonly kind: 'audit';
  readonly collection: string;
  readonly id: string;
  readonly offset?: number;
  readonly limit?: number;
}

/** A document as of a change: the state from exactly that change's causal past, inclusive. */
export interface DocAtRequest {
  readonly v: 1;
  readonly kind: 'docAt';
  readonly collection: string;
  readonly id: string;
  readonly at: string;
}

/** A page of a collection's documents as of a change. */
export interface DocsAtRequest {
  readonly v: 1;
  readonly kind: 'docsAt';
  readonly collection: string;
  readonly at: string;
  readonly offset: number;
  readonly limit: number;
}

/** A page of a collection's live documents, sorted by id. */
export interface DocsRequest {
  readonly v: 1;
  readonly kind: 'docs';
  readonly collection: string;
  readonly offset: number;
  readonly limit: number;
}

/** The collections that hold documents now, with counts. */
export interface CollectionsRequest {
  readonly v: 1;
  readonly kind: 'collections';
}

/** Why a field has its value: the winning op and the concurrent ops it beat. */
export interface WhyRequest {
  readonly v: 1;
  readonly kind: 'why';
  readonly collection: string;
  readonly id: string;
  /** Field path, dotted for nested fields. */
  readonly field: string;
}

/** The schema: collections, fields, rules, versions. */
export interface SchemaRequest {
  readonly v: 1;
  readonly kind: 'schema';
}

/** Any inspect request. */
export type InspectRequest =
  | LogRequest
  | DagRequest
  | AuditRequest
  | DocAtRequest
  | DocsAtRequest
  | DocsRequest
  | CollectionsRequest
  | WhyRequest
  | SchemaRequest;

/** Request kinds. */
export const INSPECT_KINDS = [
  'log',
  'dag',
  'audit',
  'docAt',
  'docsAt',
  'docs',
  'collections',
  'why',
  'schema',
] as const satisfies readonly InspectRequest['kind'][];

/** One op of a change, decoded for display. */
export interface OpSummary {
  /** Index of the op in its change. */
  readonly i: number;
  readonly kind: 'set' | 'inc' | 'add' | 'rem' | 'del' | 'seq' | 'genesis';
  readonly collection?: string;
  readonly id?: string;
  /** Dotted field path (none for `del` and `genesis`). */
  readonly field?: string;
  /** The value set, added or removed; the amount of an `inc`; the name of a genesis. */
  readonly value?: CanonicalValue;
  /** A sequence edit's element inserts, for display (`seq` only). */
  readonly inserted?: number;
}

/** One change of the log. */
export interface LogRow {
  readonly hash: ChangeHash;
  readonly author: AuthorId;
  readonly seq: number;
  readonly hlc: Hlc;
  readonly deps: readonly ChangeHash[];
  /** DAG height (0 for roots); -1 for a pending change, which has none yet. */
  readonly height: number;
  readonly status: InspectStatus;
  /** The error code of a rejection or roll back, else null. */
  readonly reason: string | null;
  /** A pending change's missing deps (a `schema:<hash>` entry means an unknown schema version). */
  readonly missing?: readonly string[];
  readonly ops: readonly OpSummary[];
  /** `valid`: verified on arrival or signed here; `unverified`: known through a trusted snapshot. */
  readonly signature: 'valid' | 'unverified';
  readonly isHead: boolean;
  /** The author's lane in the DAG drawing (see {@link DagLane}). */
  readonly lane: number;
  /** Position in the unfiltered log (arrival order). */
  readonly index: number;
}

/** One lane of the DAG drawing: one per author, in order of first appearance. */
export interface DagLane {
  readonly author: AuthorId;
  readonly lane: number;
}

/** A page of the log. */
export interface LogResponse {
  /** Rows matching the filter. */
  readonly total: number;
  readonly rows: readonly LogRow[];
  /** Current heads, sorted. */
  readonly heads: readonly ChangeHash[];
  readonly lanes: readonly DagLane[];
}

/** One node of the DAG drawing. */
export interface DagNode {
  readonly index: number;
  readonly hash: ChangeHash;
  readonly author: AuthorId;
  readonly lane: number;
  readonly deps: readonly ChangeHash[];
  readonly height: number;
  readonly status: InspectStatus;
  readonly isHead: boolean;
}

/** A page of the DAG. */
export interface DagResponse {
  readonly total: number;
  readonly lanes: readonly DagLane[];
  readonly nodes: readonly DagNode[];
  readonly heads: readonly ChangeHash[];
}

/** One op on a document, in its audit trail. */
export interface AuditEntry {
  readonly hash: ChangeHash;
  readonly author: AuthorId;
  readonly seq: number;
  readonly hlc: Hlc;
  /** Dotted field path, or `*` for a delete of the whole document. */
  readonly field: string;
  readonly op: OpSummary['kind'];
  /** The value written; for text/list fields, the field's whole value after this change. */
  readonly value?: CanonicalValue;
  readonly status: InspectStatus;
  readonly reason: string | null;
}

/** A document's audit trail page. */
export interface AuditResponse {
  readonly total: number;
  readonly entries: readonly AuditEntry[];
}

/** A document as of a change. */
export interface DocAtResponse {
  readonly doc: Record<string, CanonicalValue> | null;
}

/** A page of documents; `doc` is null for a document deleted at that point. */
export interface DocsPageResponse {
  readonly total: number;
  readonly docs: readonly { readonly id: string; readonly doc: Record<string, CanonicalValue> | null }[];
}

/** Collections with live documents. */
export interface CollectionsResponse {
  readonly collections: readonly { readonly name: string; readonly docs: number }[];
}

/** One op in a "why" answer. */
export interface WhyOp {
  readonly hash: ChangeHash;
  readonly author: AuthorId;
  readonly hlc: Hlc;
  readonly value: CanonicalValue;
  /** Index of the op in its change. */
  readonly op: number;
}

/** Why a field has its value. */
export interface WhyResponse {
  /** The field's CRDT: only `lww` fields have a single winning op. */
  readonly kind: 'lww' | 'counter' | 'set' | 'sequence' | 'none';
  readonly winner: WhyOp | null;
  /** Ops concurrent with the winner that lost the LWW order (HLC, then author, hash, index), best first. */
  readonly beaten: readonly WhyOp[];
}

/** The schema as plain data. */
export interface SchemaView {
  readonly hash: string;
  readonly version: number;
  /** Collection → fields (specs), permission rules and indexes. */
  readonly collections: Record<string, { fields: unknown; allow: unknown; indexes: unknown }>;
  /** Every version this replica knows, oldest first (the current one last). */
  readonly versions: readonly { readonly hash: string; readonly version: number }[];
}

/** The schema response (null for a schemaless database). */
export interface SchemaResponse {
  readonly schema: SchemaView | null;
}

/** The response type of a request type. */
export type InspectResponseOf<R extends InspectRequest> = R extends LogRequest
  ? LogResponse
  : R extends DagRequest
    ? DagResponse
    : R extends AuditRequest
      ? AuditResponse
      : R extends DocAtRequest
        ? DocAtResponse
        : R extends DocsAtRequest | DocsRequest
          ? DocsPageResponse
          : R extends CollectionsRequest
            ? CollectionsResponse
            : R extends WhyRequest
              ? WhyResponse
              : R extends SchemaRequest
                ? SchemaResponse
                : never;

/** Any inspect response. */
export type InspectResponse = InspectResponseOf<InspectRequest>;
