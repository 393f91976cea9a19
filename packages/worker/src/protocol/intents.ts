/**
 * Mutations as plain data. A tab cannot send a closure to the worker, so `client.mutate(fn)`
 * runs `fn` against a recorder in the page; the recorder writes down each call as an
 * {@link Intent}, and the worker replays the intents onto a real transaction inside one
 * `replica.change()`. Doc ids for inserts are drawn in the page, so `insert` can return the id
 * synchronously and a retried mutation writes the same doc instead of a second one.
 *
 * Invariants:
 *  1. An intent list is untrusted input: {@link parseIntents} checks its shape and size and
 *     throws `E_INVALID_ARGUMENT`; names, ids and values are checked again by the transaction.
 *  2. Replaying is all-or-nothing: the transaction records ops and nothing is signed until every
 *     intent has replayed (replica.change).
 */
import {
  WeftError,
  newDocId,
  type CanonicalValue,
  type FieldValues,
  type Transaction,
  type TypedTransaction,
} from '@weft/engine';

/** One recorded transaction call. */
export type Intent =
  | { readonly op: 'insert' | 'update'; readonly c: string; readonly id: string; readonly fields: FieldValues }
  | {
      readonly op: 'set' | 'addToSet' | 'removeFromSet';
      readonly c: string;
      readonly id: string;
      readonly path: string;
      readonly value: CanonicalValue;
    }
  | { readonly op: 'increment'; readonly c: string; readonly id: string; readonly path: string; readonly by: number }
  | { readonly op: 'delete'; readonly c: string; readonly id: string }
  | {
      readonly op: 'text';
      readonly c: string;
      readonly id: string;
      readonly path: string;
      readonly edit: readonly ['ins', number, string] | readonly ['del', number, number];
    }
  | {
      readonly op: 'list';
      readonly c: string;
      readonly id: string;
      readonly path: string;
      readonly edit:
        | readonly ['ins', number, readonly CanonicalValue[]]
        | readonly ['del', number, number]
        | readonly ['move', number, number];
    };

/** Most intents one mutation may carry. */
export const MAX_INTENTS = 10_000;

/** The transaction a mutation function receives: the typed transaction without raw ops. */
export type MutationTx<S> = Omit<TypedTransaction<S>, 'ops' | 'push'>;

/** Records transaction calls as intents (the page side of a mutation). */
export class IntentRecorder {
  readonly intents: Intent[] = [];

  insert(c: string, fields: FieldValues, id: string = newDocId()): string {
    this.intents.push({ op: 'insert', c, id, fields });
    return id;
  }
  update(c: string, id: string, fields: FieldValues): void {
    this.intents.push({ op: 'update', c, id, fields });
  }
  set(c: string, id: string, path: string, value: CanonicalValue): void {
    this.intents.push({ op: 'set', c, id, path, value });
  }
  increment(c: string, id: string, path: string, by = 1): void {
    this.intents.push({ op: 'increment', c, id, path, by });
  }
  addToSet(c: string, id: string, path: string, value: CanonicalValue): void {
    this.intents.push({ op: 'addToSet', c, id, path, value });
  }
  removeFromSet(c: string, id: string, path: string, value: CanonicalValue): void {
    this.intents.push({ op: 'removeFromSet', c, id, path, value });
  }
  delete(c: string, id: string): void {
    this.intents.push({ op: 'delete', c, id });
  }
  text(
    c: string,
    id: string,
    path: string,
  ): { insert(i: number, s: string): void; delete(i: number, n: number): void } {
    return {
      insert: (i, s) => this.intents.push({ op: 'text', c, id, path, edit: ['ins', i, s] }),
      delete: (i, n) => this.intents.push({ op: 'text', c, id, path, edit: ['del', i, n] }),
    };
  }
  list(
    c: string,
    id: string,
    path: string,
  ): {
    insert(i: number, ...items: CanonicalValue[]): void;
    delete(i: number, n?: number): void;
    move(f: number, t: number): void;
  } {
    return {
      insert: (i, ...items) => this.intents.push({ op: 'list', c, id, path, edit: ['ins', i, items] }),
      delete: (i, n = 1) => this.intents.push({ op: 'list', c, id, path, edit: ['del', i, n] }),
      move: (f, t) => this.intents.push({ op: 'list', c, id, path, edit: ['move', f, t] }),
    };
  }

  /** This recorder seen through the typed transaction interface of schema type `S`. */
  typed<S>(): MutationTx<S> {
    return this as unknown as MutationTx<S>;
  }
}

function bad(message: string): never {
  throw new WeftError('E_INVALID_ARGUMENT', `malformed mutation: ${message}`);
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isInt = (x: unknown): x is number => Number.isSafeInteger(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function checkEdit(op: 'text' | 'list', edit: unknown): void {
  if (!Array.isArray(edit) || edit.length !== 3 || !isInt(edit[1])) bad(`${op} edit must be [kind, index, arg]`);
  const [kind, , arg] = edit as unknown[];
  if (kind === 'ins') {
    if (op === 'text' ? !isStr(arg) : !Array.isArray(arg)) bad(`${op} insert has the wrong payload`);
  } else if (kind === 'del' || (op === 'list' && kind === 'move')) {
    if (!isInt(arg)) bad(`${op} ${String(kind)} needs an integer`);
  } else bad(`unknown ${op} edit "${String(kind)}"`);
}

/** Checks the shape of an intent list from a tab (invariant 1). */
export function parseIntents(input: unknown): Intent[] {
  if (!Array.isArray(input)) bad('intents must be an array');
  if (input.length === 0) bad('a mutation needs at least one write');
  if (input.length > MAX_INTENTS) throw new WeftError('E_TOO_LARGE', `a mutation holds at most ${MAX_INTENTS} writes`);
  for (const x of input as unknown[]) {
    if (!isObj(x) || !isStr(x.op) || !isStr(x.c) || !isStr(x.id)) bad('each intent needs op, c and id');
    switch (x.op) {
      case 'insert':
      case 'update':
        if (!isObj(x.fields)) bad(`${x.op} needs fields`);
        break;
      case 'set':
      case 'addToSet':
      case 'removeFromSet':
        if (!isStr(x.path) || !('value' in x)) bad(`${x.op} needs path and value`);
        break;
      case 'increment':
        if (!isStr(x.path) || typeof x.by !== 'number') bad('increment needs path and by');
        break;
      case 'delete':
        break;
      case 'text':
      case 'list':
        if (!isStr(x.path)) bad(`${x.op} needs path`);
        checkEdit(x.op, x.edit);
        break;
      default:
        bad(`unknown intent "${x.op}"`);
    }
  }
  return input as Intent[];
}

/** Replays intents onto a real transaction (the worker side of a mutation). */
export function replayIntents(tx: Transaction, intents: readonly Intent[]): void {
  for (const x of intents) {
    switch (x.op) {
      case 'insert':
        tx.insert(x.c, x.fields, x.id);
        break;
      case 'update':
        tx.update(x.c, x.id, x.fields);
        break;
      case 'set':
        tx.set(x.c, x.id, x.path, x.value);
        break;
      case 'addToSet':
        tx.addToSet(x.c, x.id, x.path, x.value);
        break;
      case 'removeFromSet':
        tx.removeFromSet(x.c, x.id, x.path, x.value);
        break;
      case 'increment':
        tx.increment(x.c, x.id, x.path, x.by);
        break;
      case 'delete':
        tx.delete(x.c, x.id);
        break;
      case 'text': {
        const t = tx.text(x.c, x.id, x.path);
        if (x.edit[0] === 'ins') t.insert(x.edit[1], x.edit[2]);
        else t.delete(x.edit[1], x.edit[2]);
        break;
      }
      case 'list': {
        const l = tx.list(x.c, x.id, x.path);
        const e = x.edit;
        if (e[0] === 'ins') l.insert(e[1], ...e[2]);
        else if (e[0] === 'del') l.delete(e[1], e[2]);
        else l.move(e[1], e[2]);
        break;
      }
    }
  }
}
