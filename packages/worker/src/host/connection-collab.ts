/**
 * One connection's share of collaborative editing: the text fields it watches and edits
 * (text-sessions.ts) and its presence (presence-hub.ts). Kept apart from the connection so the
 * host API stays a thin layer of checks.
 *
 * Invariants:
 *  1. Tabs choose their own subscription ids, so a connection's text subscriptions are keyed
 *     host-wide as `<connection>/<sub>`; a tab only reaches its own.
 *  2. Tab input is checked before it reaches a session or the hub (`E_INVALID_ARGUMENT`), and a
 *     cursor may only name a text subscription this connection has open on that database.
 *  3. Closing ends every text subscription and the presence of the connection.
 */
import { WeftError } from '@weft/engine';
import type { Push } from '../protocol/host-api.ts';
import { parseTextEdits } from '../protocol/text-ops.ts';
import { presenceInputError, type PresenceInput } from '../protocol/presence-types.ts';
import type { TextSessions } from './text-sessions.ts';
import type { PresenceHub } from './presence-hub.ts';

type PushFn = (push: Push, transfer: Transferable[]) => void;

/** What a database offers for collaboration. */
export interface CollabDb {
  readonly text: TextSessions;
  readonly presence: PresenceHub;
}

let connections = 0;

/** The collaborative state of one connection. */
export class ConnectionCollab {
  private readonly id = ++connections;
  private readonly texts = new Map<string, CollabDb>();
  private readonly present = new Set<CollabDb>();

  constructor(private readonly push: PushFn) {}

  openText(db: CollabDb, sub: string, collection: string, id: string, field: string): void {
    this.texts.get(sub)?.text.close(this.key(sub));
    db.text.open(this.key(sub), sub, collection, id, field, this.push);
    this.texts.set(sub, db);
  }

  closeText(sub: string): void {
    this.texts.get(sub)?.text.close(this.key(sub));
    this.texts.delete(sub);
  }

  editText(db: CollabDb, sub: string, base: number, edits: unknown): void {
    const parsed = parseTextEdits(edits);
    if (this.texts.get(sub) !== db) throw new WeftError('E_NOT_FOUND', `text subscription ${String(sub)} is not open`);
    db.text.edit(this.key(sub), base, parsed);
  }

  setPresence(db: CollabDb, presence: PresenceInput | null): void {
    const error = presenceInputError(presence);
    if (error !== null) throw new WeftError('E_INVALID_ARGUMENT', `presence: ${error}`);
    const c = presence?.cursor;
    if (c != null && this.texts.get(c.sub) !== db)
      throw new WeftError('E_NOT_FOUND', `text subscription ${c.sub} is not open`);
    db.presence.set(this.push, c == null ? presence : { ...presence!, cursor: { ...c, sub: this.key(c.sub) } });
    this.present.add(db);
  }

  watchPresence(db: CollabDb): void {
    db.presence.watch(this.push);
    this.present.add(db);
  }

  /** Invariant 3. */
  close(): void {
    for (const [sub, db] of this.texts) db.text.close(this.key(sub));
    this.texts.clear();
    for (const db of this.present) db.presence.drop(this.push);
    this.present.clear();
  }

  private key(sub: string): string {
    return `${this.id}/${sub}`;
  }
}
