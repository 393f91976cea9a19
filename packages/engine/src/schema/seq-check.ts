/**
 * Checks `seq` ops against text and list fields: the payload's content must fit the field (a
 * string for text, an array of valid elements for a list), and `maxLength` must hold.
 *
 * The payload format is the sequence CRDT's (crdt/sequence/op.ts); its well-formedness is
 * checked there. Length is judged as the length at the causal past plus what the change inserts
 * minus what it deletes; a delete of an already deleted element counts as a deletion, so the
 * check errs towards accepting. Only changes that insert can fail it. Concurrent inserts can
 * still exceed the bound after merging: no single-change rule can prevent that.
 */
import type { CanonicalValue } from '../encoding/canonical.ts';
import type { Verdict } from '../replica/validator.ts';
import { DELETE, INSERT, MOVE } from '../crdt/sequence/op.ts';
import { docKey } from '../crdt/doc-state.ts';
import type { FieldSpec } from './field-spec.ts';
import { checkValue, codePointLength, isPlainMap, type RefSink, type ValueProblem } from './value-check.ts';

interface Track {
  readonly at: string;
  readonly path: string;
  readonly max: number;
  readonly base: number;
  inserted: number;
  removed: number;
}

/** What SeqLengths reads: a doc at the causal past. */
interface DocReader {
  doc(collection: string, id: string): Record<string, CanonicalValue> | undefined;
}

function lengthAt(doc: Record<string, CanonicalValue> | undefined, path: string): number {
  let cur: CanonicalValue | undefined = doc;
  for (const seg of path.split('.')) cur = isPlainMap(cur) ? cur[seg] : undefined;
  if (typeof cur === 'string') return codePointLength(cur);
  return Array.isArray(cur) ? cur.length : 0;
}

/** Per-change accumulator of sequence edits. */
export class SeqLengths {
  private readonly tracks = new Map<string, Track>();
  private readonly cleared = new Set<string>();

  constructor(private readonly view: DocReader) {}

  /** The change deletes doc `c/d`: later edits start from an empty doc. */
  deleted(c: string, d: string): void {
    const key = docKey(c, d);
    this.cleared.add(key);
    for (const k of [...this.tracks.keys()]) if (k.startsWith(`${key}|`)) this.tracks.delete(k);
  }

  /** Checks one payload on field `path` (a text or list `spec`) of doc `c/d`. */
  check(c: string, d: string, path: string, spec: FieldSpec, x: CanonicalValue, refs: RefSink): ValueProblem | null {
    if (!Array.isArray(x)) return null; // malformed: the sequence CRDT rejects it
    let inserted = 0;
    let removed = 0;
    if (x[0] === INSERT) {
      const content = x[3];
      if (spec.type === 'text') {
        if (typeof content !== 'string')
          return { code: 'E_SCHEMA', message: `field "${path}" is text: cannot insert list elements` };
        inserted = codePointLength(content);
      } else {
        if (!Array.isArray(content))
          return { code: 'E_SCHEMA', message: `field "${path}" is a list: cannot insert text` };
        for (const el of content) {
          const problem = checkValue(spec.of!, el, `${path}[]`, refs);
          if (problem !== null) return problem;
        }
        inserted = content.length;
      }
    } else if (x[0] === DELETE && Array.isArray(x[1])) {
      for (let i = 2; i < x[1].length; i += 3) {
        const len = x[1][i];
        if (typeof len === 'number') removed += len;
      }
    } else if (x[0] === MOVE && spec.type === 'text') {
      return { code: 'E_SCHEMA', message: `field "${path}" is text: only lists support moves` };
    }
    if (spec.maxLength === undefined) return null;
    const docK = docKey(c, d);
    const key = `${docK}|${path}`;
    let t = this.tracks.get(key);
    if (t === undefined) {
      const base = this.cleared.has(docK) ? 0 : lengthAt(this.view.doc(c, d), path);
      this.tracks.set(key, (t = { at: `${c}/${d}`, path, max: spec.maxLength, base, inserted: 0, removed: 0 }));
    }
    t.inserted += inserted;
    t.removed += removed;
    return null;
  }

  /** The first field whose length the change pushes over its maxLength, or null. */
  finish(): Verdict {
    for (const t of this.tracks.values()) {
      const length = t.base + t.inserted - t.removed;
      if (t.inserted > 0 && length > t.max)
        return {
          code: 'E_VALIDATION',
          message: `${t.at}: field "${t.path}" fails maxLength(${t.max}): would hold ${length}`,
        };
    }
    return null;
  }
}
