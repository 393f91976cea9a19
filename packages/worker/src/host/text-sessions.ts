/**
 * Text fields edited through the worker. For each open `text` field the host keeps a version
 * number and a bounded history of the visible edits that produced each version; tabs edit
 * against the version they last saw and the host transforms their edits over what came since
 * (protocol/text-ops.ts), so an edit lands where the user made it even when a remote change or
 * another tab's edit arrived in between. Typing goes through `replica.editText`, so keystrokes
 * are folded into bursts and each burst is signed as one change.
 *
 * Invariants:
 *  1. Versions of a field are totally ordered and gap-free: version v+1 is version v plus the
 *     edits pushed with it, to every tab that watches the field, in that order.
 *  2. The host's copy of the text ({@link FieldText.text}) is re-read from the replica before
 *     any edit is transformed, after every commit, and once more {@link RECHECK_MS} after a
 *     tab's edit (a burst the replica refuses to sign is undone by a reload, which commits
 *     nothing); any drift (remote change, rollback, reload) becomes a new version whose edits
 *     are its diff.
 *  3. A tab's own edit becomes the next version and is acknowledged to it with `own: true` in
 *     the same ordered push stream as everyone else's, never out of band.
 *  4. An edit whose base is older than the history holds is refused with `E_STALE` before
 *     anything changes; the tab reloads the field.
 *  5. A field's versions start at a random offset, so a base from another host instance (a
 *     request replayed to a new leader after a failover) is refused, never misread.
 */
import { WeftError, type Replica } from '@weft/engine';
import type { Push } from '../protocol/host-api.ts';
import { applyEdits, transform, transformIndex, type TextEdit } from '../protocol/text-ops.ts';
import { diffText } from './text-diff.ts';

/** Versions of history kept per field. */
export const TEXT_HISTORY = 512;
/** When to look again after a tab's edit: past the burst window, when its change is signed. */
export const RECHECK_MS = 1_000;

type PushFn = (push: Push, transfer: Transferable[]) => void;

/** One open text field. */
interface FieldText {
  readonly c: string;
  readonly d: string;
  readonly f: string;
  version: number;
  text: string;
  /** Edits of versions `version - history.length + 1 .. version`, oldest first. */
  readonly history: TextEdit[][];
  /** Watchers by host-wide key: the tab's own subscription id and its push channel. */
  readonly subs: Map<string, { readonly sub: string; readonly push: PushFn }>;
  recheck: ReturnType<typeof setTimeout> | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

function checkField(c: unknown, d: unknown, f: unknown): void {
  if (typeof c !== 'string' || !NAME.test(c) || typeof f !== 'string' || !NAME.test(f))
    throw new WeftError('E_INVALID_ARGUMENT', 'a text field needs a collection and field name');
  if (typeof d !== 'string' || d.length === 0 || d.length > 64)
    throw new WeftError('E_INVALID_ARGUMENT', 'a text field needs a doc id');
}

function checkSub(sub: unknown): asserts sub is string {
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 64)
    throw new WeftError('E_INVALID_ARGUMENT', 'a text subscription id is 1-64 characters');
}

/** The open text fields of one database. */
export class TextSessions {
  private readonly fields = new Map<string, FieldText>();
  private readonly byKey = new Map<string, FieldText>();
  private readonly listeners = new Set<(key: string) => void>();
  private readonly unlisten: () => void;

  constructor(private readonly replica: Replica) {
    this.unlisten = replica.onCommit(() => {
      for (const field of this.fields.values()) this.sync(field);
    });
  }

  /** Hears every new version of any field (presence re-resolves its cursors then). */
  onVersion(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts pushing field `c/d.f` to the tab's subscription `sub`: a reset with the whole text
   * first. `key` names the subscription host-wide (tabs choose `sub` themselves, so two tabs may
   * use the same one); the other methods take the key.
   */
  open(key: string, sub: string, c: string, d: string, f: string, push: PushFn): void {
    checkSub(sub);
    checkField(c, d, f);
    this.close(key);
    const fk = fieldKey(c, d, f);
    let field = this.fields.get(fk);
    if (field === undefined) {
      const version = Math.floor(Math.random() * 2 ** 40); // invariant 5
      field = { c, d, f, version, text: this.read(c, d, f), history: [], subs: new Map(), recheck: undefined };
      this.fields.set(fk, field);
    } else this.sync(field);
    field.subs.set(key, { sub, push });
    this.byKey.set(key, field);
    safe(push, { weft: 'text', sub, kind: 'reset', v: field.version, text: field.text });
  }

  /** Stops pushing to subscription `key`; a field nobody watches is forgotten. */
  close(key: string): void {
    const field = this.byKey.get(key);
    if (field === undefined) return;
    this.byKey.delete(key);
    field.subs.delete(key);
    if (field.subs.size > 0) return;
    clearTimeout(field.recheck);
    this.fields.delete(fieldKey(field.c, field.d, field.f));
  }

  /** Applies `edits`, made by subscription `key` against version `base` (invariants 2-4). */
  edit(key: string, base: number, edits: readonly TextEdit[]): void {
    const field = this.byKey.get(key);
    if (field === undefined) throw new WeftError('E_NOT_FOUND', 'that text subscription is not open');
    if (!Number.isSafeInteger(base) || base < 0 || base > field.version)
      throw new WeftError('E_INVALID_ARGUMENT', `base version ${base} is not one the host sent`);
    this.sync(field);
    const mine = transform(edits, this.since(field, base).flat())[0];
    const after = applyEdits(field.text, mine); // throws before anything changes
    const handle = this.replica.editText(field.c, field.d, field.f);
    for (const e of mine) {
      if (e[0] === 'i') handle.insert(e[1], e[2]);
      else handle.delete(e[1], e[2]);
    }
    this.record(field, mine, after, key);
    clearTimeout(field.recheck);
    field.recheck = setTimeout(() => {
      field.recheck = undefined;
      if (this.fields.get(fieldKey(field.c, field.d, field.f)) === field) this.sync(field);
    }, RECHECK_MS);
  }

  /**
   * Moves `index`, a position in version `base` of the field subscription `key` watches, to the current
   * version; undefined when the history no longer reaches `base`.
   */
  mapIndex(key: string, base: number, index: number): number | undefined {
    const field = this.byKey.get(key);
    if (field === undefined || base > field.version || field.version - base > field.history.length) return undefined;
    return transformIndex(index, this.since(field, base).flat());
  }

  /** The current version of field `c/d.f`, or undefined when no tab watches it. */
  version(c: string, d: string, f: string): number | undefined {
    const field = this.fields.get(fieldKey(c, d, f));
    if (field === undefined) return undefined;
    this.sync(field);
    return field.version;
  }

  /** The field subscription `key` watches. */
  fieldOf(key: string): { c: string; d: string; f: string } | undefined {
    const field = this.byKey.get(key);
    return field === undefined ? undefined : { c: field.c, d: field.d, f: field.f };
  }

  /** Ends every subscription (the database closes). */
  dispose(): void {
    this.unlisten();
    for (const field of this.fields.values()) clearTimeout(field.recheck);
    this.fields.clear();
    this.byKey.clear();
  }

  private since(field: FieldText, base: number): TextEdit[][] {
    const missed = field.version - base;
    if (missed > field.history.length)
      throw new WeftError('E_STALE', `version ${base} is older than the ${TEXT_HISTORY} versions kept`);
    return missed === 0 ? [] : field.history.slice(field.history.length - missed);
  }

  private read(c: string, d: string, f: string): string {
    const v = this.replica.get(c, d)?.[f];
    return typeof v === 'string' ? v : '';
  }

  /** Invariant 2: turns drift between the replica and our copy into a version. */
  private sync(field: FieldText): void {
    const now = this.read(field.c, field.d, field.f);
    if (now !== field.text) this.record(field, diffText(field.text, now), now, undefined);
  }

  private record(field: FieldText, edits: TextEdit[], text: string, own: string | undefined): void {
    field.version++;
    field.text = text;
    field.history.push(edits);
    if (field.history.length > TEXT_HISTORY) field.history.shift();
    for (const [key, { sub, push }] of field.subs)
      safe(push, { weft: 'text', sub, kind: 'edits', v: field.version, edits, own: key === own });
    for (const l of this.listeners) l(fieldKey(field.c, field.d, field.f));
  }
}

/** The key of a text field. */
export function fieldKey(c: string, d: string, f: string): string {
  return `${c}/${d}.${f}`;
}

function safe(push: PushFn, msg: Push): void {
  try {
    push(msg, []);
  } catch {
    // A dead tab's channel must not break the commit path.
  }
}
