/**
 * Persistent form of a {@link DocState}: canonical bytes holding the full CRDT metadata
 * (stamps, counter parts, set tags, tombstones), so a cold start merges later ops exactly as if
 * the log had been replayed.
 */
import { WeftError } from '../errors.ts';
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import type { CollectionName, DocId } from '../ids.ts';
import type { DocState, FieldState, SequenceHooks } from './doc-state.ts';

type Enc = Record<string, CanonicalValue>;

function encodeField(f: FieldState, seqHooks: SequenceHooks | undefined): CanonicalValue {
  switch (f.t) {
    case 'lww':
      return { t: 'lww', v: f.v, s: [f.s.ms, f.s.c, f.s.author, f.s.hash, f.s.i] };
    case 'ctr':
      return { t: 'ctr', p: f.p, n: f.n };
    case 'set':
      return { t: 'set', e: f.e as unknown as CanonicalValue, r: f.r };
    case 'seq':
      if (seqHooks === undefined) throw new WeftError('E_INTERNAL', 'sequence field without sequence hooks');
      return { t: 'seq', b: seqHooks.encode(f.state) };
  }
}

/** Encodes a document's CRDT state. */
export function encodeDocState(doc: DocState, seqHooks?: SequenceHooks): Uint8Array {
  const f: Enc = {};
  for (const k in doc.f) f[k] = encodeField(doc.f[k]!, seqHooks);
  return encode({ c: doc.c, d: doc.d, f, tb: doc.tombs, a: doc.alive });
}

/** Decodes a document's CRDT state (storage is trusted, but still checked for shape). */
export function decodeDocState(bytes: Uint8Array, seqHooks?: SequenceHooks): DocState {
  const raw = decode(bytes) as Enc;
  const fields: Record<string, FieldState> = {};
  const f = raw.f as Record<string, Enc>;
  for (const k in f) {
    const e = f[k]!;
    switch (e.t) {
      case 'lww': {
        const s = e.s as [number, number, string, string, number];
        fields[k] = { t: 'lww', v: e.v!, s: { ms: s[0], c: s[1], author: s[2], hash: s[3], i: s[4] } };
        break;
      }
      case 'ctr':
        fields[k] = { t: 'ctr', p: e.p as Record<string, number>, n: e.n as Record<string, number> };
        break;
      case 'set':
        fields[k] = {
          t: 'set',
          e: e.e as unknown as Record<string, { v: CanonicalValue; tags: string[] }>,
          r: e.r as string[],
        };
        break;
      case 'seq':
        if (seqHooks === undefined) throw new WeftError('E_INTERNAL', 'sequence field without sequence hooks');
        fields[k] = { t: 'seq', state: seqHooks.decode(e.b as Uint8Array) };
        break;
      default:
        throw new WeftError('E_STORAGE', `stored doc has unknown field kind`);
    }
  }
  return {
    c: raw.c as CollectionName,
    d: raw.d as DocId,
    f: fields,
    tombs: raw.tb as string[],
    alive: raw.a as boolean,
  };
}
