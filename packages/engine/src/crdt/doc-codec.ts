/**
 * Persistent form of a {@link DocState}: canonical bytes holding the full CRDT metadata
 * (stamps, counter parts, set tags, tombstones), so a cold start merges later ops exactly as if
 * the log had been replayed.
 */
import { WeftError } from '../errors.ts';
import { decode, encode, type CanonicalValue } from '../encoding/canonical.ts';
import type { CollectionName, DocId } from '../ids.ts';
import { fromHex, toHex } from '../bytes.ts';
import type { DocState, FieldState, SequenceHooks } from './doc-state.ts';

type Enc = Record<string, CanonicalValue>;

/**
 * Hex → bytes for stamps, cached: a batch writes many fields stamped by the same few authors and
 * changes, so most conversions repeat. The encoder copies the bytes, so sharing them is safe.
 */
const hexCache = new Map<string, Uint8Array>();
function hexBytes(hex: string): Uint8Array {
  let b = hexCache.get(hex);
  if (b === undefined) {
    if (hexCache.size >= 4096) hexCache.clear();
    hexCache.set(hex, (b = fromHex(hex)));
  }
  return b;
}

/** Encodes one field's CRDT state (fields are stored one entry each, so a batch writes only what it changed). */
export function encodeFieldState(f: FieldState, seqHooks?: SequenceHooks): Uint8Array {
  return encode(encodeField(f, seqHooks));
}

/** Encodes a doc's header: everything but its fields. */
export function encodeDocHeader(doc: DocState): Uint8Array {
  return encode({ c: doc.c, d: doc.d, tb: doc.tombs, a: doc.alive });
}

/** Decodes a doc header into a doc with no fields yet. */
export function decodeDocHeader(bytes: Uint8Array): DocState {
  const raw = decode(bytes) as Enc;
  return { c: raw.c as CollectionName, d: raw.d as DocId, f: {}, tombs: raw.tb as string[], alive: raw.a as boolean };
}

/** Decodes one field's CRDT state. */
export function decodeFieldState(bytes: Uint8Array, seqHooks?: SequenceHooks): FieldState {
  return decodeField(decode(bytes) as Enc, seqHooks);
}

function encodeField(f: FieldState, seqHooks: SequenceHooks | undefined): CanonicalValue {
  switch (f.t) {
    case 'lww':
      // Author and hash as raw bytes: half the size of hex, and copied rather than re-encoded.
      return { t: 'lww', v: f.v, s: [f.s.ms, f.s.c, hexBytes(f.s.author), hexBytes(f.s.hash), f.s.i] };
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
  for (const k in f) fields[k] = decodeField(f[k]!, seqHooks);
  return {
    c: raw.c as CollectionName,
    d: raw.d as DocId,
    f: fields,
    tombs: raw.tb as string[],
    alive: raw.a as boolean,
  };
}

function decodeField(e: Enc, seqHooks: SequenceHooks | undefined): FieldState {
  switch (e.t) {
    case 'lww': {
      const s = e.s as [number, number, Uint8Array, Uint8Array, number];
      return { t: 'lww', v: e.v!, s: { ms: s[0], c: s[1], author: toHex(s[2]), hash: toHex(s[3]), i: s[4] } };
    }
    case 'ctr':
      return { t: 'ctr', p: e.p as Record<string, number>, n: e.n as Record<string, number> };
    case 'set':
      return {
        t: 'set',
        e: e.e as unknown as Record<string, { v: CanonicalValue; tags: string[] }>,
        r: e.r as string[],
      };
    case 'seq':
      if (seqHooks === undefined) throw new WeftError('E_INTERNAL', 'sequence field without sequence hooks');
      return { t: 'seq', state: seqHooks.decode(e.b as Uint8Array) };
    default:
      throw new WeftError('E_STORAGE', 'stored doc has unknown field kind');
  }
}
