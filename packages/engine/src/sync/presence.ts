/**
 * Presence: who is here and where their cursor is. Ephemeral: carried by sync sessions as
 * `presence` messages, never signed into the log, never stored. One update holds everything one
 * host (a browser's worker) says about its tabs; an update with no entries says it left.
 *
 * Invariants:
 *  1. {@link parsePresence} accepts exactly the shape {@link encodePresence} produces, within
 *     {@link PRESENCE_LIMITS}; anything else throws `E_PROTOCOL`. A session drops such an update
 *     (and counts it) instead of closing: presence is cosmetic and must never cost sync.
 *  2. Cursors are anchors (crdt/sequence/anchor.ts), so they stay on the same characters while
 *     concurrent edits arrive; each receiver resolves them against its own replica.
 *  3. Updates from one host are ordered by `seq`; a receiver keeps only the newest.
 *  4. A session accepts at most {@link PRESENCE_LIMITS.perSecond} updates a second (burst
 *     `burst`); the rest are dropped, so a chatty or hostile peer costs nothing beyond the check.
 */
import { WeftError } from '../errors.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { Anchor } from '../crdt/sequence/anchor.ts';

/** One tab's presence. */
export interface PresenceEntry {
  /** The tab, unique within its host. */
  readonly tab: string;
  /** Display name. */
  readonly user: string;
  /** `#rrggbb`. */
  readonly color: string;
  /** Selection in a text field, as anchors (invariant 2). */
  readonly cursor: {
    readonly c: string;
    readonly d: string;
    readonly f: string;
    readonly anchor: Anchor;
    readonly head: Anchor;
  } | null;
}

/** Everything one host says about its tabs. */
export interface PresenceUpdate {
  /** The host's author (64 hex). */
  readonly author: string;
  /** A random id of the host instance, so two hosts of one author do not overwrite each other. */
  readonly hub: string;
  /** Increases with each update of this hub (invariant 3). */
  readonly seq: number;
  readonly entries: readonly PresenceEntry[];
}

/** Caps on presence (invariants 1, 4). */
export const PRESENCE_LIMITS = {
  maxBytes: 8 * 1024,
  maxEntries: 16,
  maxText: 64,
  perSecond: 20,
  burst: 40,
} as const;

/** Where a sync session hands presence, and how it is told about sessions that can carry it. */
export interface PresenceSink {
  /** A session opened; returns what to call when it closes. */
  attach(session: PresenceSession): () => void;
  /** A well-formed update arrived over `session`. */
  receive(update: PresenceUpdate, session: PresenceSession): void;
}

/** The part of a sync session presence uses. */
export interface PresenceSession {
  /** The authenticated author at the other end, when the transport proved it (else null). */
  readonly peer: string | null;
  sendPresence(update: PresenceUpdate): void;
}

function anchorValue(a: Anchor): CanonicalValue {
  return { id: a.id === null ? null : [a.id[0], a.id[1]], as: a.assoc };
}

/** The update as a canonical value (the `p` of a presence message). */
export function encodePresence(u: PresenceUpdate): CanonicalValue {
  return {
    a: u.author,
    h: u.hub,
    s: u.seq,
    e: u.entries.map((e) => ({
      t: e.tab,
      u: e.user,
      c: e.color,
      x:
        e.cursor === null
          ? null
          : {
              c: e.cursor.c,
              d: e.cursor.d,
              f: e.cursor.f,
              a: anchorValue(e.cursor.anchor),
              h: anchorValue(e.cursor.head),
            },
    })),
  };
}

function bad(msg: string): never {
  throw new WeftError('E_PROTOCOL', `malformed presence: ${msg}`);
}

type Map_ = Record<string, CanonicalValue>;

function map(v: CanonicalValue | undefined, keys: string, what: string): Map_ {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) bad(`${what} is not a map`);
  if (Object.keys(v).sort().join(',') !== keys) bad(`${what} has unexpected fields`);
  return v as Map_;
}

function text(v: CanonicalValue | undefined, what: string, max: number = PRESENCE_LIMITS.maxText): string {
  if (typeof v !== 'string' || v.length > max) bad(`${what} must be text of at most ${max}`);
  return v;
}

function anchor(v: CanonicalValue | undefined): Anchor {
  const m = map(v, 'as,id', 'anchor');
  if (m.as !== 'before' && m.as !== 'after') bad('anchor assoc');
  if (m.id === null) return { id: null, assoc: m.as };
  const id = m.id as CanonicalValue[];
  if (!Array.isArray(id) || id.length !== 2 || !Number.isSafeInteger(id[1]) || (id[1] as number) < 0)
    bad('anchor id is not [agent, counter]');
  return { id: [text(id[0], 'anchor agent'), id[1] as number], assoc: m.as };
}

/** Checks a presence value from a peer (invariant 1). */
export function parsePresence(v: CanonicalValue): PresenceUpdate {
  const m = map(v, 'a,e,h,s', 'update');
  const author = text(m.a, 'author');
  if (!/^[0-9a-f]{64}$/.test(author)) bad('author must be 64 hex');
  if (!Number.isSafeInteger(m.s) || (m.s as number) < 0) bad('seq must be a non-negative integer');
  if (!Array.isArray(m.e) || m.e.length > PRESENCE_LIMITS.maxEntries) bad('entries malformed or too many');
  const entries = (m.e as CanonicalValue[]).map((raw): PresenceEntry => {
    const e = map(raw, 'c,t,u,x', 'entry');
    const color = text(e.c, 'color');
    if (!/^#[0-9a-fA-F]{6}$/.test(color)) bad('color must be #rrggbb');
    let cursor: PresenceEntry['cursor'] = null;
    if (e.x !== null) {
      const x = map(e.x, 'a,c,d,f,h', 'cursor');
      cursor = {
        c: text(x.c, 'collection'),
        d: text(x.d, 'doc'),
        f: text(x.f, 'field'),
        anchor: anchor(x.a),
        head: anchor(x.h),
      };
    }
    return { tab: text(e.t, 'tab'), user: text(e.u, 'user'), color, cursor };
  });
  return { author, hub: text(m.h, 'hub'), seq: m.s as number, entries };
}

/** A token bucket for incoming presence (invariant 4). */
export class PresenceRate {
  private tokens: number = PRESENCE_LIMITS.burst;
  private last: number;

  constructor(private readonly now: () => number = () => Date.now()) {
    this.last = now();
  }

  /** True when one more update may be accepted now. */
  take(): boolean {
    const t = this.now();
    this.tokens = Math.min(PRESENCE_LIMITS.burst, this.tokens + ((t - this.last) / 1000) * PRESENCE_LIMITS.perSecond);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
