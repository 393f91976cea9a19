/**
 * Exp-Golomb coded columns of ints >= 0. Order k codes x as gamma(floor(x / 2^k) + 1) followed by
 * the k low bits of x; the writer picks the k in 0..10 that makes the column smallest and stores
 * it in the first byte. Per-change id block lengths and seq gaps are mostly tiny (slow typing
 * makes one change per keystroke), so most cost 1-4 bits instead of a whole byte.
 */
import { WeftError } from '../../errors.ts';
import type { ByteReader, ByteWriter } from './varint.ts';

const MAX_K = 10;

function bitLength(v: number): number {
  if (v < 2 ** 31) return 32 - Math.clz32(v);
  let n = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 2)) n++;
  return n;
}

/** Collects values, then writes them with the best order. */
export class BitColumnWriter {
  private readonly values: number[] = [];

  /** Appends `x` (a safe integer >= 0). */
  push(x: number): void {
    this.values.push(x);
  }

  /** Writes the column as one length-prefixed block. */
  finish(out: ByteWriter): void {
    const values = this.values;
    // Size of the column for every k, in one pass; integer ops for values below 2^31.
    const cost = new Array<number>(MAX_K + 1).fill(0);
    for (const x of values) {
      if (x < 2 ** 31) {
        for (let k = 0; k <= MAX_K; k++) cost[k] = cost[k]! + 2 * (32 - Math.clz32((x >>> k) + 1)) - 1 + k;
      } else {
        for (let k = 0; k <= MAX_K; k++) cost[k] = cost[k]! + 2 * bitLength(Math.floor(x / 2 ** k) + 1) - 1 + k;
      }
    }
    let bestK = 0;
    let best = Infinity;
    for (let k = 0; k <= MAX_K; k++) {
      if (cost[k]! < best) {
        best = cost[k]!;
        bestK = k;
      }
    }
    const bytes = new Uint8Array(1 + Math.ceil(best / 8));
    bytes[0] = bestK;
    let pos = 8;
    const put = (b: number): void => {
      if (b) bytes[pos >> 3]! |= 0x80 >> (pos & 7);
      pos++;
    };
    const d = 2 ** bestK;
    const lowMask = (1 << bestK) - 1;
    for (const x of values) {
      if (x < 2 ** 31) {
        const q = (x >>> bestK) + 1;
        const n = 31 - Math.clz32(q);
        pos += n;
        // q (n + 1 bits, leading 1) then the k low bits of x: at most 32 + 10 bits, so split.
        const len = n + 1 + bestK;
        if (len <= 24) {
          let code = ((q << bestK) | (x & lowMask)) << (32 - len);
          // OR the code into place a byte at a time.
          let left = len;
          while (left > 0) {
            const off = pos & 7;
            const take = Math.min(left, 8 - off);
            bytes[pos >> 3]! |= (code >>> (32 - take)) << (8 - off - take);
            code = code << take;
            pos += take;
            left -= take;
          }
          continue;
        }
        for (let i = n; i >= 0; i--) put((q >>> i) & 1);
        for (let i = bestK - 1; i >= 0; i--) put((x >>> i) & 1);
        continue;
      }
      const q = Math.floor(x / d) + 1;
      const n = bitLength(q) - 1;
      pos += n;
      for (let i = n; i >= 0; i--) put(Math.floor(q / 2 ** i) % 2);
      for (let i = bestK - 1; i >= 0; i--) put(Math.floor(x / 2 ** i) % 2);
    }
    out.block(bytes);
  }
}

/** Reads a column written by {@link BitColumnWriter}. */
export class BitColumnReader {
  private readonly buf: Uint8Array;
  private pos = 8;
  private readonly k: number;

  constructor(input: ByteReader) {
    const r = input.block();
    this.buf = r.bytes(r.end - r.pos);
    this.k = this.buf.length === 0 ? 0 : this.buf[0]!;
    if (this.buf.length === 0 || this.k > MAX_K) throw new WeftError('E_DECODE', 'sequence snapshot: bad bit column');
  }

  /** Reads `m` (<= 53) bits as an unsigned number, a byte at a time. */
  private bits(m: number): number {
    let v = 0;
    let pos = this.pos;
    const buf = this.buf;
    if ((pos + m + 7) >> 3 > buf.length) throw new WeftError('E_DECODE', 'sequence snapshot: truncated bit column');
    while (m > 0) {
      const off = pos & 7;
      const take = Math.min(m, 8 - off);
      v = v * (1 << take) + ((buf[pos >> 3]! >> (8 - off - take)) & ((1 << take) - 1));
      pos += take;
      m -= take;
    }
    this.pos = pos;
    return v;
  }

  /** The next value. */
  next(): number {
    // Fast path: the whole code fits in the next 32 bits (always, for the small values we store).
    const buf = this.buf;
    const pos = this.pos;
    const i = pos >> 3;
    if (i + 4 < buf.length) {
      const off = pos & 7;
      const w =
        (((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) << off) |
        (buf[i + 4]! >>> (8 - off));
      const z = Math.clz32(w);
      const bits = 2 * z + 1 + this.k;
      if (bits <= 32) {
        this.pos = pos + bits;
        const code = (w >>> (32 - bits)) >>> 0;
        return (((code >>> this.k) - 1) << this.k) | (code & ((1 << this.k) - 1));
      }
    }
    return this.slowNext();
  }

  private slowNext(): number {
    // Count the leading zeros of the gamma code a byte at a time.
    let n = 0;
    const buf = this.buf;
    for (;;) {
      const i = this.pos >> 3;
      if (i >= buf.length) throw new WeftError('E_DECODE', 'sequence snapshot: truncated bit column');
      const off = this.pos & 7;
      const byte = (buf[i]! << off) & 0xff;
      if (byte === 0) {
        n += 8 - off;
        this.pos += 8 - off;
        if (n > 52) throw new WeftError('E_DECODE', 'sequence snapshot: bit code too long');
        continue;
      }
      const z = Math.clz32(byte) - 24;
      n += z;
      this.pos += z + 1;
      break;
    }
    if (n > 52) throw new WeftError('E_DECODE', 'sequence snapshot: bit code too long');
    const q = 2 ** n + this.bits(n);
    const x = (q - 1) * 2 ** this.k + this.bits(this.k);
    if (!Number.isSafeInteger(x)) throw new WeftError('E_DECODE', 'sequence snapshot: integer beyond 2^53');
    return x;
  }

  /** The next `n` values, decoded in one tight loop (the fast path of {@link next}, inlined). */
  take(n: number): number[] {
    const out = new Array<number>(n);
    const buf = this.buf;
    const k = this.k;
    const lowMask = (1 << k) - 1;
    const safeEnd = buf.length - 4;
    let pos = this.pos;
    for (let j = 0; j < n; j++) {
      const i = pos >> 3;
      if (i < safeEnd) {
        const off = pos & 7;
        const w =
          (((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) << off) |
          (buf[i + 4]! >>> (8 - off));
        const bits = 2 * Math.clz32(w) + 1 + k;
        if (bits <= 32) {
          pos += bits;
          const code = (w >>> (32 - bits)) >>> 0;
          out[j] = (((code >>> k) - 1) << k) | (code & lowMask);
          continue;
        }
      }
      this.pos = pos;
      out[j] = this.slowNext();
      pos = this.pos;
    }
    this.pos = pos;
    return out;
  }

  /** True when only zero padding is left. */
  get done(): boolean {
    for (let p = this.pos; p < this.buf.length * 8; p++) if ((this.buf[p >> 3]! >> (7 - (p & 7))) & 1) return false;
    return this.pos <= this.buf.length * 8 && this.buf.length * 8 - this.pos < 8;
  }
}
