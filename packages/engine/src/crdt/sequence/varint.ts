/**
 * LEB128 varints, zigzag signed ints and run-length encoded columns for the snapshot codec.
 * Values are safe integers (up to 2^53), so the arithmetic avoids 32-bit bitwise operators
 * above 2^31. The reader is strict: truncation, overlong encodings and values beyond 2^53
 * throw `E_DECODE`, because snapshots can come from other peers.
 */
import { WeftError } from '../../errors.ts';

function fail(msg: string): never {
  throw new WeftError('E_DECODE', `sequence snapshot: ${msg}`);
}

/** A growable byte buffer. */
export class ByteWriter {
  buf = new Uint8Array(1024);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Unsigned LEB128 of a safe integer >= 0. */
  uint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** Zigzag-mapped signed integer. */
  int(n: number): void {
    this.uint(n < 0 ? -2 * n - 1 : 2 * n);
  }

  /** One byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** Raw bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Length-prefixed bytes. */
  block(b: Uint8Array): void {
    this.uint(b.length);
    this.bytes(b);
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Reads what {@link ByteWriter} wrote. */
export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  /** True when every byte was read. */
  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Unsigned LEB128. */
  uint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) fail('truncated');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (b === 0 && i > 0) fail('overlong varint');
        if (!Number.isSafeInteger(n)) fail('integer beyond 2^53');
        return n;
      }
      scale *= 0x80;
      if (i >= 7) fail('integer beyond 2^53');
    }
  }

  /** Zigzag-mapped signed integer. */
  int(): number {
    const z = this.uint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }

  /** One byte. */
  byte(): number {
    if (this.pos >= this.end) fail('truncated');
    return this.buf[this.pos++]!;
  }

  /** `n` raw bytes (a view). */
  bytes(n: number): Uint8Array {
    if (n > this.end - this.pos) fail('truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-prefixed bytes as a reader of their own. */
  block(): ByteReader {
    const n = this.uint();
    if (n > this.end - this.pos) fail('block length exceeds input');
    const r = new ByteReader(this.buf, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
}

/** Writes a column of unsigned ints as `(value, repeat count)` pairs. */
export class RleWriter {
  private value = -1;
  private count = 0;
  constructor(readonly out: ByteWriter = new ByteWriter()) {}

  /** Appends one value. */
  push(v: number): void {
    if (v === this.value) {
      this.count++;
      return;
    }
    this.flush();
    this.value = v;
    this.count = 1;
  }

  /** The encoded column. */
  finish(): Uint8Array {
    this.flush();
    return this.out.finish();
  }

  private flush(): void {
    if (this.count === 0) return;
    this.out.uint(this.value);
    this.out.uint(this.count);
    this.count = 0;
  }
}

/** Reads a column written by {@link RleWriter}. */
export class RleReader {
  private value = 0;
  private left = 0;
  constructor(private readonly r: ByteReader) {}

  /** The next value. */
  next(): number {
    if (this.left === 0) {
      this.value = this.r.uint();
      this.left = this.r.uint();
      if (this.left === 0) fail('empty run in a column');
    }
    this.left--;
    return this.value;
  }

  /** True when the column is exhausted. */
  get done(): boolean {
    return this.left === 0 && this.r.done;
  }
}
