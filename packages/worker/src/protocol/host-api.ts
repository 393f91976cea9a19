/**
 * What crosses the tab/worker boundary: the host API a tab calls through comlink, and the
 * messages the host pushes back. Everything here is plain data; errors travel as
 * {@link WeftErrorData} inside a {@link Result}, because comlink keeps only an error's message.
 */
import {
  WeftError,
  toWeftError,
  type AuthorId,
  type ChangeHash,
  type DbId,
  type InspectRequest,
  type InspectResponse,
  type Query,
  type Row,
  type WeftErrorData,
} from '@weft/engine';
import type { Intent } from './intents.ts';
import type { TextEdit } from './text-ops.ts';
import type { PresenceInput, PresencePeer } from './presence-types.ts';

/** A call's outcome as plain data. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WeftErrorData };

/** Opening a database in the host. */
export interface OpenRequest {
  /** Local database name (one IndexedDB database per name). */
  readonly name: string;
  /** The app's schema, canonically encoded (`encodeSchema`), or null for none. */
  readonly schema: Uint8Array | null;
  /** An exported identity to use, or null for this origin's stored one (created on first use). */
  readonly identity: string | null;
  /** Join this database id when the name is new; null creates a new database. */
  readonly db: string | null;
  /** Relay base URL (`http://host:port`) to sync through, or null for none. */
  readonly relay?: string | null;
  /** With `db: null`: create the database end-to-end encrypted (engine encryption/keyring.ts). */
  readonly encrypted?: boolean;
}

/** An open database, as a tab sees it. */
export interface OpenResult {
  readonly db: DbId;
  readonly author: AuthorId;
  readonly schemaHash: string | null;
}

/** One connected peer (filled in by the sync transports). */
export interface PeerStatus {
  readonly id: string;
  readonly transport: 'webrtc' | 'relay';
  readonly state: 'connecting' | 'syncing' | 'synced' | 'closed';
  readonly bytesIn: number;
  readonly bytesOut: number;
  /** Changes the peer has that we lack. */
  readonly lag: number;
  /** When we last heard from the peer (ms since the epoch), or null if never. */
  readonly lastSeen?: number | null;
}

/** A database's sync state. */
export interface SyncStatus {
  /** `local` while no transport is configured; `online`/`offline` once sync runs. */
  readonly state: 'local' | 'online' | 'offline';
  /** Changes in the log. */
  readonly changes: number;
  /** Local changes no peer has acknowledged yet. */
  readonly pending: number;
  readonly peers: readonly PeerStatus[];
}

/** The per-connection API the host exposes. */
export interface HostApi {
  open(req: OpenRequest): Promise<Result<OpenResult>>;
  /**
   * Replays `intents` as one signed change. `retry` marks a re-send after a leader failover:
   * then a `mutationId` the dead leader already committed returns its first hash.
   */
  mutate(name: string, mutationId: string, intents: readonly Intent[], retry?: boolean): Promise<Result<ChangeHash>>;
  query(name: string, query: Query): Promise<Result<Row[]>>;
  /**
   * Answers an inspect request (engine `inspect/`, versioned by its own `v`) for devtools. The
   * request is untrusted: `E_INVALID_ARGUMENT` when malformed, `E_UNSUPPORTED_VERSION` for a `v`
   * this engine does not speak. Heavy work (filtering, paging, history) runs here, not in the tab.
   */
  inspect(name: string, request: InspectRequest): Promise<Result<InspectResponse>>;
  /** Starts a live query; diffs arrive as {@link DiffPush} messages tagged `sub`. */
  subscribe(name: string, sub: string, query: Query): Promise<Result<null>>;
  unsubscribe(sub: string): Promise<Result<null>>;
  /** Starts status pushes for `name` ({@link StatusPush}); the first comes at once. */
  watchStatus(name: string): Promise<Result<null>>;
  exportIdentity(): Promise<Result<string>>;
  /**
   * Redeems an invite: `secret` is an exported identity whose key holds a membership of `list`
   * in collection `members`; signed with it, a membership with the same role is created for
   * this client's own key. Resolves with that change's hash; `E_NOT_FOUND` until the invite's
   * membership has synced. `scope` names the membership's field holding `list` (default `list`).
   */
  redeemInvite(name: string, secret: string, list: string, members: string, scope?: string): Promise<Result<string>>;
  /**
   * Key distribution in an encrypted database: wraps the keys this user holds for the authors
   * in `share` (a new member, an invite key) and, with `rotateExclude`, starts a new epoch that
   * leaves those authors out (after revoking them). Resolves with the change hash, or null when
   * there was nothing to do (always, in a database without encryption, so apps may call it
   * after every grant and revocation).
   */
  manageKeys(
    name: string,
    request: { readonly share?: readonly string[]; readonly rotateExclude?: readonly string[] },
  ): Promise<Result<string | null>>;
  /**
   * The tab saw the device go offline or online (`navigator.onLine`): pause or resume the
   * database's relay link. A worker's own sockets do not always notice.
   */
  setOnline(name: string, online: boolean): Promise<Result<null>>;
  /**
   * Makes this connection the database's network tab: it receives {@link NetPush} messages
   * (room peers and their signaling) and opens WebRTC connections for the worker.
   */
  watchNetwork(name: string): Promise<Result<null>>;
  /** Sends a signaling message to room peer `to` through the relay. */
  sendSignal(name: string, to: string, data: unknown): Promise<Result<null>>;
  /**
   * Hands the worker a WebRTC data channel to peer `peer`, piped over `port` (transferred); the
   * worker syncs over it (message-port-peer.ts). Needs a direct host (SharedWorker or leader).
   */
  attachPeer(name: string, peer: string, port: MessagePort): Promise<Result<null>>;
  /**
   * Starts {@link TextPush} messages tagged `sub` for text field `field` of doc `collection/id`:
   * a `reset` with the whole text and its version, then every later version's edits
   * (host/text-sessions.ts).
   */
  openText(name: string, sub: string, collection: string, id: string, field: string): Promise<Result<null>>;
  closeText(name: string, sub: string): Promise<Result<null>>;
  /**
   * Applies `edits` (code point indices) made against version `base` of the field `sub` watches;
   * the host transforms them over the versions since `base` and acknowledges them with an
   * `own` {@link TextPush}. `E_STALE` when `base` is older than the history kept.
   */
  editText(name: string, sub: string, base: number, edits: readonly TextEdit[]): Promise<Result<null>>;
  /**
   * Sets this tab's presence (name, colour, cursor in a text field it watches), shared with
   * the database's peers and other tabs; `null` clears it. Never written to the log.
   */
  setPresence(name: string, presence: PresenceInput | null): Promise<Result<null>>;
  /** Starts {@link PresencePush} messages for `name`; the first comes at once. */
  watchPresence(name: string): Promise<Result<null>>;
}

/**
 * What a tab's endpoint exposes: the host API plus `attach`, which names the Web Lock the tab
 * holds for its lifetime. The host waits on that lock and, when it is granted (the tab is
 * gone), ends the connection's subscriptions; MessagePorts have no reliable close event.
 */
export interface ConnectionApi extends HostApi {
  attach(tabLock: string): Promise<Result<null>>;
}

/** The methods a forwarded request may name. */
export const HOST_METHODS = [
  'open',
  'mutate',
  'query',
  'inspect',
  'subscribe',
  'unsubscribe',
  'watchStatus',
  'exportIdentity',
  'redeemInvite',
  'manageKeys',
  'setOnline',
  'watchNetwork',
  'sendSignal',
  'openText',
  'closeText',
  'editText',
  'setPresence',
  'watchPresence',
] as const satisfies readonly (keyof HostApi)[];

/** A live query diff, encoded by diff-codec.ts (transferred when the channel allows). */
export interface DiffPush {
  readonly weft: 'diff';
  readonly sub: string;
  readonly bytes: Uint8Array;
}

/** A sync status update. */
export interface StatusPush {
  readonly weft: 'status';
  readonly name: string;
  readonly status: SyncStatus;
}

/** A subscription the host ended (its database failed or closed). */
export interface SubErrorPush {
  readonly weft: 'subError';
  readonly sub: string;
  readonly error: WeftErrorData;
}

/** Room peers and signaling, for the network tab. */
export type NetPush =
  | { readonly weft: 'net'; readonly name: string; readonly kind: 'peers'; readonly peers: readonly string[] }
  | {
      readonly weft: 'net';
      readonly name: string;
      readonly kind: 'signal';
      readonly from: string;
      readonly data: unknown;
    };

/** A text field's next version (host/text-sessions.ts), for the tab's text observer. */
export type TextPush =
  | { readonly weft: 'text'; readonly sub: string; readonly kind: 'reset'; readonly v: number; readonly text: string }
  | {
      readonly weft: 'text';
      readonly sub: string;
      readonly kind: 'edits';
      readonly v: number;
      readonly edits: readonly TextEdit[];
      /** True for the acknowledgement of this tab's own edit. */
      readonly own: boolean;
    };

/** Everyone else present in a database (other tabs and peers), cursors resolved for this host. */
export interface PresencePush {
  readonly weft: 'presence';
  readonly name: string;
  readonly peers: readonly PresencePeer[];
}

/**
 * Fallback only (no SharedWorker): this tab's own dedicated worker just became the leader host,
 * so it, and only it, can take WebRTC data channels (`attachPeer`), which cannot cross the bus.
 */
export interface LeaderPush {
  readonly weft: 'leader';
}

/** Anything the host pushes. */
export type Push = DiffPush | StatusPush | SubErrorPush | NetPush | TextPush | PresencePush | LeaderPush;

/** True for a message that is a host push (pushes share the channel with comlink). */
export function isPush(x: unknown): x is Push {
  return typeof x === 'object' && x !== null && typeof (x as { weft?: unknown }).weft === 'string';
}

/** Wraps a value or a thrown error as a {@link Result}. */
export async function toResult<T>(fn: () => Promise<T> | T): Promise<Result<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (err) {
    return { ok: false, error: toWeftError(err).toData() };
  }
}

/** The value of a {@link Result}, or its error rebuilt as a {@link WeftError}. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw WeftError.fromData(r.error);
}
