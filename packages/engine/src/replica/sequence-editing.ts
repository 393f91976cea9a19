/**
 * Local editing of `text` and `list` fields: typing applies to the live sequence at once and
 * is folded into bursts (crdt/sequence/edit-folder.ts); each burst becomes one signed change.
 *
 * Invariants:
 *  1. A burst reserves its author's next seq when it opens (after every burst still being
 *     signed or waiting), so a pending burst is committed before any other change of the author,
 *     and before any batch from elsewhere is committed: storage never holds sequence state whose
 *     ops are not in a signed, stored change. A field with edits still unsigned when a batch is
 *     written is persisted only through its op log, never as a snapshot of the live state
 *     ({@link SequenceEditing.hasUnsigned}, replica-store.ts).
 *  2. The burst's change is committed with its sequence ops marked pre-applied: they already
 *     changed the live state, so the materializer only persists them.
 */
import { WeftError } from '../errors.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { CollectionName, DocId } from '../ids.ts';
import { isDocId, isName } from '../ids.ts';
import type { DocOp } from '../change/op.ts';
import { docKey, emptyDoc, type SeqField } from '../crdt/doc-state.ts';
import { EditFolder, type Burst, type FolderTimer } from '../crdt/sequence/edit-folder.ts';
import type { Anchor } from '../crdt/sequence/anchor.ts';
import { Text } from '../crdt/sequence/text.ts';
import { List } from '../crdt/sequence/list.ts';
import type { Materializer } from './materializer.ts';

/** Where a sequence field lives. */
interface FieldKey {
  readonly c: CollectionName;
  readonly d: DocId;
  readonly field: string;
}

/** A live handle on a `text` field. Edits apply at once; signing happens per burst. */
export interface TextHandle {
  readonly length: number;
  toString(): string;
  insert(index: number, text: string): void;
  delete(index: number, length: number): void;
  /** A position that stays on the same characters while remote edits arrive. */
  anchor(index: number, assoc?: 'before' | 'after'): Anchor;
  resolve(anchor: Anchor): number;
}

/** A live handle on a `list` field. */
export interface ListHandle<T extends CanonicalValue = CanonicalValue> {
  readonly length: number;
  toArray(): T[];
  insert(index: number, ...items: T[]): void;
  delete(index: number, length?: number): void;
  move(from: number, to: number): void;
  anchor(index: number, assoc?: 'before' | 'after'): Anchor;
  resolve(anchor: Anchor): number;
}

/** Options for burst folding. */
export interface EditingOptions {
  readonly maxDelayMs?: number;
  readonly maxOps?: number;
  readonly timer?: FolderTimer;
}

/** Owns the edit folder of one replica. */
export class SequenceEditing {
  private readonly folder: EditFolder<string>;
  private readonly keys = new Map<string, FieldKey>();
  /** Closed bursts waiting to be signed, oldest first (typing goes on while one is signed). */
  private readonly closed: Burst<string>[] = [];
  /**
   * Highest seq of the bursts {@link take}n and not yet {@link settled}: they are being signed
   * and committed, maybe not in the log yet, and a burst opened meanwhile must come after them.
   */
  private taken = 0;
  /** Bursts taken whose batch has not started committing: their edits are live but unsigned. */
  private inFlight: Burst<string>[] = [];

  constructor(
    private readonly author: string,
    private readonly state: () => Materializer,
    nextSeq: () => number,
    /** Schedules the commit of a closed burst (the replica runs it in its commit section). */
    schedule: () => void,
    options: EditingOptions = {},
  ) {
    this.folder = new EditFolder<string>({
      agent: author,
      // Bursts being committed and closed ones waiting have taken the seqs before this one.
      nextSeq: () => Math.max(nextSeq(), this.taken + 1) + this.closed.length,
      flush: (burst) => {
        this.closed.push(burst);
        schedule();
      },
      ...(options.timer === undefined ? {} : { timer: options.timer }),
      ...(options.maxDelayMs === undefined ? {} : { maxDelayMs: options.maxDelayMs }),
      ...(options.maxOps === undefined ? {} : { maxOps: options.maxOps }),
    });
  }

  /**
   * Closes the open burst and returns every uncommitted burst, oldest first, each as the ops of
   * one change (invariant 1).
   */
  take(): { seq: number; ops: DocOp[] }[] {
    this.folder.flush();
    const out = this.closed.splice(0).filter((b) => b.edits.length > 0);
    for (const b of out) this.taken = Math.max(this.taken, b.seq);
    this.inFlight.push(...out);
    return out.map((burst) => ({
      seq: burst.seq,
      ops: burst.edits.map(({ key, op }) => {
        const k = this.keys.get(key)!;
        return { k: 'seq', c: k.c, d: k.d, p: [k.field], x: op as unknown as CanonicalValue };
      }),
    }));
  }

  /** The taken bursts up to `seq` are in the batch being committed now. */
  committing(seq: number): void {
    this.inFlight = this.inFlight.filter((b) => b.seq > seq);
  }

  /** The bursts last {@link take}n are committed (or failed): the log now says what they hold. */
  settled(): void {
    this.taken = 0;
    this.inFlight = [];
  }

  /**
   * True when the live state of a doc's sequence field (`seq:path`) holds edits of a burst
   * that is open, closed, or taken but not in the batch being committed.
   */
  hasUnsigned(docKey: string, fieldKey: string): boolean {
    const key = `${docKey}.${fieldKey.slice(fieldKey.indexOf(':') + 1)}`;
    const has = (b: Burst<string>): boolean => b.edits.some((e) => e.key === key);
    return this.folder.touches(key) || this.closed.some(has) || this.inFlight.some(has);
  }

  /** The live sequence of a field (for transactions), created empty when absent. */
  live(c: string, d: string, field: string, kind: 'text' | 'list'): Text | List {
    return this.field(c, d, field, kind).seq;
  }

  private field(c: string, d: string, field: string, kind: 'text' | 'list'): { key: string; seq: Text | List } {
    if (!isName(c) || !isDocId(d) || !isName(field))
      throw new WeftError('E_INVALID_ARGUMENT', `invalid sequence field ${c}/${d}.${field}`);
    const state = this.state();
    const dk = docKey(c, d);
    let doc = state.docs.get(dk);
    if (doc === undefined) state.docs.set(dk, (doc = emptyDoc(c, d)));
    const fk = `seq:${field}`;
    let f = doc.f[fk] as SeqField | undefined;
    if (f === undefined) f = doc.f[fk] = { t: 'seq', state: kind === 'text' ? new Text() : new List() };
    const seq = f.state as Text | List;
    if (kind === 'text' ? !(seq instanceof Text) : !(seq instanceof List))
      throw new WeftError('E_SCHEMA', `${c}/${d}.${field} is not a ${kind} field`);
    const key = `${dk}.${field}`;
    this.keys.set(key, { c, d, field });
    return { key, seq };
  }

  /** A handle on a text field (created empty when absent). */
  text(c: string, d: string, field: string): TextHandle {
    const folder = this.folder;
    const get = () => this.field(c, d, field, 'text') as { key: string; seq: Text };
    return {
      get length() {
        return get().seq.length;
      },
      toString: () => get().seq.toString(),
      insert: (index, text) => {
        const { key, seq } = get();
        if (text.length > 0) folder.insert(key, seq, index, text);
      },
      delete: (index, length) => {
        const { key, seq } = get();
        if (length > 0) folder.delete(key, seq as never, index, length);
      },
      anchor: (index, assoc = 'after') => get().seq.anchor(index, assoc),
      resolve: (anchor) => get().seq.resolve(anchor),
    };
  }

  /** A handle on a list field (created empty when absent). */
  list<T extends CanonicalValue>(c: string, d: string, field: string): ListHandle<T> {
    const folder = this.folder;
    const get = () => this.field(c, d, field, 'list') as { key: string; seq: List<T> };
    return {
      get length() {
        return get().seq.length;
      },
      toArray: () => get().seq.toArray(),
      insert: (index, ...items) => {
        const { key, seq } = get();
        if (items.length > 0) folder.insert(key, seq, index, items);
      },
      delete: (index, length = 1) => {
        const { key, seq } = get();
        folder.delete(key, seq as never, index, length);
      },
      move: (from, to) => {
        const { key, seq } = get();
        folder.move(key, seq, from, to);
      },
      anchor: (index, assoc = 'after') => get().seq.anchor(index, assoc),
      resolve: (anchor) => get().seq.resolve(anchor),
    };
  }
}
