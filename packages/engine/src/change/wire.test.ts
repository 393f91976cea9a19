import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode, type CanonicalValue } from '../encoding/canonical.ts';
import { WeftError } from '../errors.ts';
import { decodeWire, encodeWire } from './change.ts';
import { seedsToRun, withSeed } from '../testing/random.ts';

/** fast-check runs are seeded: fixed here, `WEFT_SEED` to replay a failure. */
const SEED = seedsToRun(1, 0x3173)[0]!;

/** The reference: the general strict decoder plus the shape checks. */
function referenceSplit(bytes: Uint8Array): { body: Uint8Array; sig: Uint8Array } {
  const v = decode(bytes);
  if (!Array.isArray(v) || v.length !== 2) throw new WeftError('E_DECODE', 'not [body, sig]');
  const [body, sig] = v as CanonicalValue[];
  if (!(body instanceof Uint8Array)) throw new WeftError('E_DECODE', 'body');
  if (!(sig instanceof Uint8Array) || sig.length !== 64) throw new WeftError('E_DECODE', 'sig');
  return { body, sig };
}

function outcome(f: () => { body: Uint8Array; sig: Uint8Array }): string {
  try {
    const { body, sig } = f();
    return `ok ${Buffer.from(body).toString('hex')} ${Buffer.from(sig).toString('hex')}`;
  } catch (err) {
    expect(err).toBeInstanceOf(WeftError);
    return `error ${(err as WeftError).code}`;
  }
}

// Body lengths around every length-header boundary of the encoding.
const bodyLength = fc.oneof(
  fc.integer({ min: 0, max: 30 }),
  fc.integer({ min: 250, max: 260 }),
  fc.integer({ min: 65_530, max: 65_540 }),
);
const wire = fc
  .tuple(bodyLength, fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.integer({ min: 0, max: 255 }))
  .map(([n, sig, fill]) => encodeWire(new Uint8Array(n).fill(fill), sig));

describe('change wire form', () => {
  it('splits valid wire bytes into views of the input, equal to what the general decoder gives', () => {
    withSeed(SEED, (seed) =>
      fc.assert(
        fc.property(wire, (bytes) => {
          const mine = decodeWire(bytes);
          expect(outcome(() => mine)).toBe(outcome(() => referenceSplit(bytes)));
          // Views, not copies: one buffer per change.
          expect(mine.body.buffer).toBe(bytes.buffer);
          expect(mine.sig.buffer).toBe(bytes.buffer);
        }),
        { seed: Number(seed), numRuns: 200 },
      ),
    );
  });

  it('rejects exactly what the general decoder rejects, after any corruption', () => {
    const corrupt = fc.tuple(wire, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 }));
    withSeed(SEED, (seed) =>
      fc.assert(
        fc.property(corrupt, ([bytes, at, value, how]) => {
          let bad: Uint8Array;
          const i = at % bytes.length;
          if (how === 0) (bad = bytes.slice())[i] = value;
          else if (how === 1) bad = bytes.subarray(0, i);
          else if (how === 2) bad = Uint8Array.of(...bytes, value);
          else bad = Uint8Array.of(...bytes.subarray(0, i), ...bytes.subarray(i + 1));
          expect(outcome(() => decodeWire(bad))).toBe(outcome(() => referenceSplit(bad)));
        }),
        { seed: Number(seed), numRuns: 2000 },
      ),
    );
  });

  it('rejects non-minimal length headers and a short signature with E_DECODE', () => {
    const sig = new Uint8Array(64);
    // A 5-byte body whose length is written with the one-byte extension (0x58 0x05).
    const nonMinimal = Uint8Array.of(0x82, 0x58, 0x05, 1, 2, 3, 4, 5, 0x58, 0x40, ...sig);
    expect(() => decodeWire(nonMinimal)).toThrow(expect.objectContaining({ code: 'E_DECODE' }));
    const shortSig = Uint8Array.of(0x82, 0x41, 7, 0x58, 0x3f, ...sig.subarray(1));
    expect(() => decodeWire(shortSig)).toThrow(expect.objectContaining({ code: 'E_DECODE' }));
    expect(() => decodeWire(new Uint8Array())).toThrow(expect.objectContaining({ code: 'E_DECODE' }));
  });
});
