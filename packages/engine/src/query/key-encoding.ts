/**
 * Order-preserving byte encoding of query values, for secondary index keys.
 *
 *   null     0x10
 *   boolean  0x20 false, 0x21 true
 *   number   0x30 ‖ float64 big-endian, sign bit flipped (negatives: every bit flipped)
 *   string   0x40 ‖ UTF-8, each 0x00 escaped as 0x00 0xFF ‖ 0x00
 *   bytes    0x50 ‖ bytes, escaped the same way ‖ 0x00
 *   array    0x60 ‖ element encodings ‖ 0x00
 *   object   0x70 ‖ (string encoding of key ‖ value encoding)* in code point key order ‖ 0x00
 *
 * Invariants:
 *  1. `compareBytes(encodeKeyValue(a), encodeKeyValue(b))` has the sign of `compareValues(a, b)`
 *     (value-order.ts), so a byte-ordered store scans in query order.
 *  2. Every encoding is self-delimiting and no byte that can follow one (a type tag, the 0x00
 *     terminator of an enclosing array or object, or nothing) reaches 0xFF, the escape's second
 *     byte. Hence concatenations (a tuple ‖ doc id) order lexicographically by element.
 *  3. Each type class owns the tag range [base, base + 0x10), so "all numbers" or "all
 *     strings" is one contiguous key range (see {@link classRange}).
 *  4. `decodeKeyValues` inverts a concatenation exactly (up to -0, which encodes as 0).
 */
import { WeftError } from '../errors.ts';
import { host } from '../host.ts';
import type { CanonicalValue } from '../encoding/canonical.ts';
import { sortedKeys, typeRank } from './value-order.ts';

const TAG = { null: 0x10, false: 0x20, true: 0x21, number: 0x30, string: 0x40, bytes: 0x50, array: 0x60, object: 0x70 };
const CLASS_BASE = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70] as const;

const te = new host.TextEncoder();
const td = new host.TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

class KeyWriter {
  buf = new Uint8Array(64);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  escaped(b: Uint8Array): void {
    this.ensure(b.length * 2 + 1);
    for (let i = 0; i < b.length; i++) {
      const x = b[i]!;
      this.buf[this.pos++] = x;
      if (x === 0) this.buf[this.pos++] = 0xff;
    }
    this.buf[this.pos++] = 0;
  }
}

const f64 = new DataView(new ArrayBuffer(8));

function writeValue(w: KeyWriter, v: CanonicalValue): void {
  switch (typeRank(v)) {
    case 0:
      return w.byte(TAG.null);
    case 1:
      return w.byte(v ? TAG.true : TAG.false);
    case 2: {
      const n = v as number;
      if (!Number.isFinite(n)) throw new WeftError('E_INVALID_ARGUMENT', 'index keys hold finite numbers only');
      f64.setFloat64(0, n === 0 ? 0 : n);
      w.byte(TAG.number);
      w.ensure(8);
      const neg = (f64.getUint8(0) & 0x80) !== 0;
      for (let i = 0; i < 8; i++) {
        const b = f64.getUint8(i);
        w.buf[w.pos++] = neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b;
      }
      return;
    }
    case 3:
      w.byte(TAG.string);
      return w.escaped(te.encode(v as string));
    case 4:
      w.byte(TAG.bytes);
      return w.escaped(v as Uint8Array);
    case 5:
      w.byte(TAG.array);
      for (const item of v as readonly CanonicalValue[]) writeValue(w, item);
      return w.byte(0);
    default: {
      const o = v as { readonly [key: string]: CanonicalValue };
      w.byte(TAG.object);
      for (const k of sortedKeys(o)) {
        writeValue(w, k);
        writeValue(w, o[k]!);
      }
      return w.byte(0);
    }
  }
}

/** The order-preserving encoding of one value. */
export function encodeKeyValue(v: CanonicalValue): Uint8Array {
  return encodeKeyValues([v]);
}

/** The concatenated encodings of `values` (a composite key; invariant 2). */
export function encodeKeyValues(values: readonly CanonicalValue[]): Uint8Array {
  const w = new KeyWriter();
  for (const v of values) writeValue(w, v);
  return w.buf.slice(0, w.pos);
}

/**
 * The escaped UTF-8 of `s` with its tag but without the terminator: every string key that
 * starts with `s` starts with these bytes (a `startsWith` range).
 */
export function stringPrefixKey(s: string): Uint8Array {
  const w = new KeyWriter();
  w.byte(TAG.string);
  w.escaped(te.encode(s));
  return w.buf.slice(0, w.pos - 1);
}

/** The key range [lo, hi) holding every value of the type class of `v` (invariant 3). */
export function classRange(v: CanonicalValue): { lo: number; hi: number } {
  const base = CLASS_BASE[typeRank(v)]!;
  return { lo: base, hi: base + 0x10 };
}

function fail(pos: number): never {
  throw new WeftError('E_DECODE', `malformed index key at byte ${pos}`);
}

class KeyReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}
  unescape(): Uint8Array {
    const out: number[] = [];
    const b = this.buf;
    for (;;) {
      if (this.pos >= b.length) fail(this.pos);
      const x = b[this.pos++]!;
      if (x !== 0) out.push(x);
      else if (b[this.pos] === 0xff) {
        out.push(0);
        this.pos++;
      } else return Uint8Array.from(out);
    }
  }
  value(): CanonicalValue {
    const tag = this.buf[this.pos++];
    switch (tag) {
      case TAG.null:
        return null;
      case TAG.false:
        return false;
      case TAG.true:
        return true;
      case TAG.number: {
        if (this.pos + 8 > this.buf.length) fail(this.pos);
        const neg = (this.buf[this.pos]! & 0x80) === 0;
        for (let i = 0; i < 8; i++) {
          const b = this.buf[this.pos++]!;
          f64.setUint8(i, neg ? ~b & 0xff : i === 0 ? b ^ 0x80 : b);
        }
        return f64.getFloat64(0);
      }
      case TAG.string:
        return td.decode(this.unescape());
      case TAG.bytes:
        return this.unescape();
      case TAG.array: {
        const out: CanonicalValue[] = [];
        while (this.buf[this.pos] !== 0) {
          if (this.pos >= this.buf.length) fail(this.pos);
          out.push(this.value());
        }
        this.pos++;
        return out;
      }
      case TAG.object: {
        const out: Record<string, CanonicalValue> = {};
        while (this.buf[this.pos] !== 0) {
          if (this.pos >= this.buf.length) fail(this.pos);
          const k = this.value();
          if (typeof k !== 'string') fail(this.pos);
          Object.defineProperty(out, k, { value: this.value(), enumerable: true, writable: true, configurable: true });
        }
        this.pos++;
        return out;
      }
      default:
        return fail(this.pos - 1);
    }
  }
}

/** Decodes a concatenation of key encodings back into its values (invariant 4). */
export function decodeKeyValues(bytes: Uint8Array): CanonicalValue[] {
  const r = new KeyReader(bytes);
  const out: CanonicalValue[] = [];
  while (r.pos < bytes.length) out.push(r.value());
  return out;
}

/**
 * Bytes as a latin1 string: one UTF-16 unit per byte, so JS string order is byte order. The
 * in-memory indexes keep keys this way because string comparison is far cheaper than a loop.
 */
export function latin1(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 4096;
  for (let i = 0; i < bytes.length; i += CHUNK)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + CHUNK)));
  return s;
}

/** Inverse of {@link latin1}. */
export function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
