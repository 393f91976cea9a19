/**
 * Canonical binary encoding: a strict subset of deterministic CBOR (RFC 8949 §4.2).
 *
 * Invariants:
 *  1. Every value has exactly one encoding; `decode(encode(v))` deep-equals `v`, and
 *     `encode(decode(b))` equals `b` for every `b` that decode accepts.
 *  2. decode rejects anything else with `E_DECODE`: non-minimal lengths or integers, unsorted or
 *     duplicate map keys, non-text map keys, indefinite lengths, tags, undefined, floats that hold
 *     an integer or a non-finite value, invalid UTF-8, and trailing bytes.
 *  3. decode never allocates more than the input can hold (lengths are checked against the
 *     remaining bytes before use) and never recurses deeper than {@link MAX_DEPTH}.
 *
 * Why our own: the signed unit must have one byte string per value and the decoder must be a
 * hard boundary. A hand-written codec over this small value model is short enough to audit,
 * and measured faster here than a general CBOR library configured to be as strict.
 */
import { WeftError } from '../errors.ts';
import { compareBytes } from '../bytes.ts';
import { host } from '../host.ts';

/** The values the canonical encoding can carry. */
export type CanonicalValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | readonly CanonicalValue[]
  | { readonly [key: string]: CanonicalValue };

/** Deepest nesting decode accepts. */
export const MAX_DEPTH = 64;

const te = new host.TextEncoder();
// ignoreBOM: a leading U+FEFF is content, not a marker to strip (canonicality, invariant 1).
const td = new host.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class Writer {
  // One growing buffer shared by every encode call: encode is synchronous and never re-entered,
  // so reusing it saves an allocation per call on the hot path.
  static shared: Writer | undefined;
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  head(major: number, n: number): void {
    this.ensure(9);
    const m = major << 5;
    if (n < 24) this.buf[this.pos++] = m | n;
    else if (n < 0x100) {
      this.buf[this.pos++] = m | 24;
      this.buf[this.pos++] = n;
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25;
      this.view.setUint16(this.pos, n);
      this.pos += 2;
    } else if (n < 0x100000000) {
      this.buf[this.pos++] = m | 26;
      this.view.setUint32(this.pos, n);
      this.pos += 4;
    } else {
      this.buf[this.pos++] = m | 27;
      this.view.setUint32(this.pos, Math.floor(n / 0x100000000));
      this.view.setUint32(this.pos + 4, n >>> 0);
      this.pos += 8;
    }
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const keyCache = new Map<string, Uint8Array>();
function encodedKey(k: string): Uint8Array {
  let enc = keyCache.get(k);
  if (enc === undefined) {
    const w = new Writer();
    writeString(w, k);
    enc = w.buf.slice(0, w.pos);
    if (keyCache.size < 4096) keyCache.set(k, enc);
  }
  return enc;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function writeString(w: Writer, s: string): void {
  // ASCII fast path: most keys and ids are ASCII.
  let ascii = true;
  for (let i = 0; i < s.length; i++)
    if (s.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  if (ascii) {
    w.head(3, s.length);
    w.ensure(s.length);
    for (let i = 0; i < s.length; i++) w.buf[w.pos++] = s.charCodeAt(i);
    return;
  }
  // A lone surrogate would silently become U+FFFD, giving two strings one encoding.
  if (LONE_SURROGATE.test(s)) throw new WeftError('E_INVALID_ARGUMENT', 'string holds a lone surrogate');
  const b = te.encode(s);
  w.head(3, b.length);
  w.bytes(b);
}

function write(w: Writer, v: CanonicalValue, depth: number): void {
  if (depth > MAX_DEPTH) throw new WeftError('E_TOO_LARGE', 'value nests too deeply');
  if (v === null) {
    w.ensure(1);
    w.buf[w.pos++] = 0xf6;
  } else if (v === true || v === false) {
    w.ensure(1);
    w.buf[w.pos++] = v ? 0xf5 : 0xf4;
  } else if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) {
      if (v >= 0) w.head(0, v);
      else w.head(1, -1 - v);
    } else if (Number.isFinite(v)) {
      w.ensure(9);
      w.buf[w.pos++] = 0xfb;
      w.view.setFloat64(w.pos, v);
      w.pos += 8;
    } else throw new WeftError('E_INVALID_ARGUMENT', 'non-finite numbers cannot be encoded');
  } else if (typeof v === 'string') writeString(w, v);
  else if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    const arr = v as readonly CanonicalValue[];
    w.head(4, arr.length);
    for (const item of arr) write(w, item, depth + 1);
  } else if (typeof v === 'object') {
    const obj = v as { readonly [key: string]: CanonicalValue };
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined);
    if (keys.includes('__proto__')) throw new WeftError('E_INVALID_ARGUMENT', 'map key "__proto__" is not allowed');
    const encKeys = keys.map(encodedKey);
    const order = keys.map((_, i) => i);
    order.sort((a, b) => compareBytes(encKeys[a]!, encKeys[b]!));
    w.head(5, keys.length);
    for (const i of order) {
      w.bytes(encKeys[i]!);
      write(w, obj[keys[i]!]!, depth + 1);
    }
  } else {
    throw new WeftError('E_INVALID_ARGUMENT', `cannot encode a ${typeof v}`);
  }
}

/** Encodes `value` to its single canonical byte string. */
export function encode(value: CanonicalValue): Uint8Array {
  const w = Writer.shared ?? (Writer.shared = new Writer());
  w.pos = 0;
  write(w, value, 0);
  const out = w.buf.slice(0, w.pos);
  // Don't pin a huge buffer after an occasional large value.
  if (w.buf.length > 1 << 20) Writer.shared = undefined;
  return out;
}

function fail(msg: string, pos: number): never {
  throw new WeftError('E_DECODE', `${msg} at byte ${pos}`);
}

class Reader {
  pos = 0;
  readonly view: DataView;
  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  /** Reads the head's argument and enforces minimal encoding. */
  arg(info: number): number {
    const start = this.pos - 1;
    if (info < 24) return info;
    const need = info === 24 ? 1 : info === 25 ? 2 : info === 26 ? 4 : info === 27 ? 8 : -1;
    if (need < 0) fail(info === 31 ? 'indefinite length' : 'reserved additional info', start);
    if (this.pos + need > this.buf.length) fail('truncated', start);
    let n: number;
    if (need === 1) n = this.buf[this.pos]!;
    else if (need === 2) n = this.view.getUint16(this.pos);
    else if (need === 4) n = this.view.getUint32(this.pos);
    else {
      const hi = this.view.getUint32(this.pos);
      if (hi >= 0x200000) fail('integer beyond 2^53', start);
      n = hi * 0x100000000 + this.view.getUint32(this.pos + 4);
    }
    this.pos += need;
    const min = need === 1 ? 24 : need === 2 ? 0x100 : need === 4 ? 0x10000 : 0x100000000;
    if (n < min) fail('non-minimal length or integer', start);
    return n;
  }
  length(info: number, unit: number): number {
    const start = this.pos - 1;
    const n = this.arg(info);
    if (n * unit > this.buf.length - this.pos) fail('length exceeds input', start);
    return n;
  }
}

function readKey(r: Reader): { key: string; start: number; end: number } {
  const start = r.pos;
  if (r.pos >= r.buf.length) fail('truncated', r.pos);
  const ib = r.buf[r.pos++]!;
  if (ib >> 5 !== 3) fail('map key is not text', start);
  const n = r.length(ib & 31, 1);
  const key = readText(r, n);
  return { key, start, end: r.pos };
}

function readText(r: Reader, n: number): string {
  const start = r.pos;
  const buf = r.buf;
  r.pos += n;
  if (n <= 64) {
    // Short strings (keys, ids, hex) are almost always ASCII: building them directly beats
    // a TextDecoder call.
    let s = '';
    for (let i = start; i < start + n; i++) {
      const c = buf[i]!;
      if (c > 0x7f) return decodeUtf8(buf, start, n);
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decodeUtf8(buf, start, n);
}

function decodeUtf8(buf: Uint8Array, start: number, n: number): string {
  try {
    return td.decode(buf.subarray(start, start + n));
  } catch {
    return fail('invalid UTF-8', start);
  }
}

function read(r: Reader, depth: number): CanonicalValue {
  if (depth > MAX_DEPTH) fail('nesting too deep', r.pos);
  if (r.pos >= r.buf.length) fail('truncated', r.pos);
  const start = r.pos;
  const ib = r.buf[r.pos++]!;
  const major = ib >> 5;
  const info = ib & 31;
  switch (major) {
    case 0:
      return r.arg(info);
    case 1: {
      const n = r.arg(info);
      // -1 - (2^53 - 1) is not a safe integer, so the encoder would have written a float.
      if (n >= Number.MAX_SAFE_INTEGER) fail('integer beyond -2^53', start);
      return -1 - n;
    }
    case 2: {
      const n = r.length(info, 1);
      const out = r.buf.slice(r.pos, r.pos + n);
      r.pos += n;
      return out;
    }
    case 3:
      return readText(r, r.length(info, 1));
    case 4: {
      const n = r.length(info, 1);
      const out: CanonicalValue[] = new Array<CanonicalValue>(n);
      for (let i = 0; i < n; i++) out[i] = read(r, depth + 1);
      return out;
    }
    case 5: {
      const n = r.length(info, 2);
      const out: Record<string, CanonicalValue> = {};
      let prevStart = -1;
      let prevEnd = -1;
      for (let i = 0; i < n; i++) {
        const { key, start: ks, end: ke } = readKey(r);
        if (prevStart >= 0) {
          const c = compareBytes(r.buf.subarray(prevStart, prevEnd), r.buf.subarray(ks, ke));
          if (c === 0) fail(`duplicate map key "${key}"`, ks);
          if (c > 0) fail('map keys out of canonical order', ks);
        }
        prevStart = ks;
        prevEnd = ke;
        if (key === '__proto__') fail('forbidden map key', ks);
        out[key] = read(r, depth + 1);
      }
      return out;
    }
    case 6:
      return fail('tags are not allowed', start);
    default: {
      if (info === 20) return false;
      if (info === 21) return true;
      if (info === 22) return null;
      if (info === 27) {
        if (r.pos + 8 > r.buf.length) fail('truncated', start);
        const f = r.view.getFloat64(r.pos);
        r.pos += 8;
        if (!Number.isFinite(f)) fail('non-finite float', start);
        if (Number.isSafeInteger(f) || Object.is(f, -0)) fail('float holds an integer', start);
        return f;
      }
      return fail('unsupported simple value or float width', start);
    }
  }
}

/** Decodes exactly one canonical value from `bytes`; anything else throws `E_DECODE`. */
export function decode(bytes: Uint8Array): CanonicalValue {
  if (!(bytes instanceof Uint8Array)) throw new WeftError('E_DECODE', 'input is not bytes');
  const r = new Reader(bytes);
  const v = read(r, 0);
  if (r.pos !== bytes.length) fail('trailing bytes', r.pos);
  return v;
}
