/**
 * Presence as a tab sees it: who else is here (other tabs of this browser and other users),
 * with a display name, a colour and a cursor in a text field. Ephemeral: never in the log.
 */

/** What a tab says about itself (host-api.ts `setPresence`). */
export interface PresenceInput {
  /** Display name (at most 64 characters). */
  readonly user: string;
  /** CSS colour, `#rrggbb`. */
  readonly color: string;
  /**
   * The tab's selection in the text field its subscription `sub` watches, as code point
   * indices in that field's version `v` (the version the tab's text observer last heard).
   */
  readonly cursor: { readonly sub: string; readonly v: number; readonly anchor: number; readonly head: number } | null;
}

/** Someone else present, as the host resolved them for this tab. */
export interface PresencePeer {
  /** Stable per tab of a user (render key). */
  readonly key: string;
  readonly author: string;
  readonly user: string;
  readonly color: string;
  /** True for another tab of this same browser. */
  readonly local: boolean;
  /**
   * Their selection in field `c/d.f`, in code points of that field's version `v` on this host;
   * null when they have no cursor, or it names text this host has not received yet.
   */
  readonly cursor: {
    readonly c: string;
    readonly d: string;
    readonly f: string;
    readonly v: number;
    readonly anchor: number;
    readonly head: number;
  } | null;
}

/** Checks a tab's presence input; returns an error message, or null when it is well formed. */
export function presenceInputError(p: unknown): string | null {
  if (p === null) return null;
  if (typeof p !== 'object') return 'presence must be an object';
  const x = p as Record<string, unknown>;
  if (typeof x.user !== 'string' || x.user.length > 64) return 'user must be a string of at most 64 characters';
  if (typeof x.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(x.color)) return 'color must be #rrggbb';
  if (x.cursor === null) return null;
  const c = x.cursor as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null || typeof c.sub !== 'string') return 'cursor needs sub';
  for (const k of ['v', 'anchor', 'head'] as const)
    if (!Number.isSafeInteger(c[k]) || (c[k] as number) < 0) return `cursor.${k} must be a non-negative integer`;
  return null;
}
