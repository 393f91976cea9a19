import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeChangeBody, encodeChangeBody, type Change } from '../change/change.ts';
import type { Op } from '../change/op.ts';
import { WeftError } from '../errors.ts';
import { generateIdentity } from '../crypto/identity.ts';
import { randomBytes } from '../host.ts';
import { Rng, seedsToRun } from '../testing/random.ts';
import { agreementPublicKey, agreementSecretKey, epochIdOf, unwrapKey, wrapKey } from './key-wrap.ts';
import { openOps, sealOps } from './content-cipher.ts';
import { exportIdentity } from '../crypto/identity.ts';
import type { AuthorId, DbId } from '../ids.ts';

const A = 'a'.repeat(64) as AuthorId;
const DB = 'd'.repeat(64) as DbId;

function body(ops: unknown[]): Change {
  return {
    v: 1,
    db: DB,
    author: A,
    seq: 2,
    deps: ['e'.repeat(64)],
    hlc: { ms: 5, c: 0 },
    schema: null,
    ops,
  } as unknown as Change;
}

const epoch = new Uint8Array(16).fill(7);
const member = new Uint8Array(32).fill(1);
const keysOp = { k: 'keys', e: epoch, n: true, w: [[member, new Uint8Array(80)]] };
const encOp = { k: 'enc', e: epoch, n: new Uint8Array(12), x: new Uint8Array(20) };
const setOp = { k: 'set', c: 'notes', d: 'n1', p: ['title'], v: 'x' };

function decodeError(ops: unknown[]): string | undefined {
  try {
    decodeChangeBody(encodeChangeBody(body(ops)));
    return undefined;
  } catch (err) {
    return err instanceof WeftError ? err.code : 'not a WeftError';
  }
}

describe('seal op format', () => {
  it('round-trips keys and enc ops through the strict decoder', () => {
    const c = body([keysOp, encOp]);
    expect(decodeChangeBody(encodeChangeBody(c))).toEqual(c);
    expect(decodeError([setOp, keysOp])).toBeUndefined();
  });

  it('rejects malformed keys and enc ops and bad layouts with E_DECODE', () => {
    const bad: unknown[][] = [
      [{ ...encOp, n: new Uint8Array(11) }],
      [{ ...encOp, e: new Uint8Array(15) }],
      [{ ...encOp, x: new Uint8Array(15) }],
      [{ ...encOp, x: 'text' }],
      [{ ...encOp, extra: 1 }],
      [{ k: 'enc', e: epoch, n: new Uint8Array(12) }],
      [{ ...keysOp, n: 1 }],
      [{ ...keysOp, w: [] }],
      [{ ...keysOp, w: [[member, new Uint8Array(79)]] }],
      [{ ...keysOp, w: [[new Uint8Array(31), new Uint8Array(80)]] }],
      [{ ...keysOp, w: [[member, new Uint8Array(80), 1]] }],
      [{ ...keysOp, w: [member] }],
      [{ ...keysOp, w: [keysOp.w[0], keysOp.w[0]] }],
      [{ ...keysOp, w: [[new Uint8Array(32).fill(2), new Uint8Array(80)], keysOp.w[0]] }],
      [encOp, setOp],
      [encOp, keysOp],
      [keysOp, setOp],
      [encOp, encOp],
      [keysOp, keysOp],
    ];
    for (const ops of bad) expect(decodeError(ops), JSON.stringify(ops.map((o) => (o as Op).k))).toBe('E_DECODE');
  });

  it('never decodes a mutated seal op into anything but E_DECODE or a valid change (fast-check)', () => {
    const bytes = encodeChangeBody(body([keysOp, encOp]));
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const m = bytes.slice();
        m[i] = m[i]! ^ x;
        try {
          decodeChangeBody(m);
        } catch (err) {
          expect(err).toBeInstanceOf(WeftError);
        }
      }),
    );
  });
});

describe('key wrap (X25519 + HKDF + AES-GCM)', () => {
  it('opens only for its member and epoch, and only with the right secret', async () => {
    for (const seed of seedsToRun(3)) {
      const rng = new Rng(seed);
      const me = await generateIdentity();
      const other = await generateIdentity();
      const secret = agreementSecretKey((await exportIdentity(me)).secretKey);
      const otherSecret = agreementSecretKey((await exportIdentity(other)).secretKey);
      const key = rng.bytes(32);
      const e = epochIdOf(key);
      const w = wrapKey(key, me.publicKey, (n) => rng.bytes(n));
      expect(w.length).toBe(80);
      expect(unwrapKey(w, e, me.publicKey, secret)).toEqual(key);
      expect(unwrapKey(w, e, me.publicKey, otherSecret)).toBeUndefined();
      expect(unwrapKey(w, e, other.publicKey, otherSecret)).toBeUndefined();
      expect(unwrapKey(w, new Uint8Array(16), me.publicKey, secret)).toBeUndefined();
      const flipped = w.slice();
      flipped[rng.int(80)]! ^= 1;
      expect(unwrapKey(flipped, e, me.publicKey, secret)).toBeUndefined();
      expect(unwrapKey(w.subarray(1), e, me.publicKey, secret)).toBeUndefined();
      // A wrap of a key that does not hash to the epoch is refused (key commitment).
      const wrong = wrapKey(rng.bytes(32), me.publicKey, (n) => rng.bytes(n));
      expect(unwrapKey(wrong, e, me.publicKey, secret)).toBeUndefined();
      expect(agreementPublicKey(me.publicKey).length).toBe(32);
    }
  });

  it('refuses bad keys and members with E_KEY', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (err) {
        return (err as WeftError).code;
      }
      return undefined;
    };
    expect(code(() => wrapKey(new Uint8Array(31), member, randomBytes))).toBe('E_KEY');
    expect(code(() => wrapKey(new Uint8Array(32), new Uint8Array(5), randomBytes))).toBe('E_KEY');
    expect(code(() => agreementPublicKey(new Uint8Array(32).fill(0xff)))).toBe('E_KEY');
    expect(code(() => agreementSecretKey(new Uint8Array(3)))).toBe('E_KEY');
  });
});

describe('content cipher', () => {
  const env = { db: DB, author: A, seq: 3 };
  const key = new Uint8Array(32).fill(9);
  const ops = [setOp] as never;

  it('round-trips and binds the ciphertext to its envelope', () => {
    const enc = sealOps(ops, env, epochIdOf(key), key, randomBytes);
    expect(openOps(enc, env, key, 10)).toEqual([setOp]);
    for (const other of [
      { ...env, seq: 4 },
      { ...env, author: 'b'.repeat(64) as AuthorId },
      { ...env, db: null },
    ])
      expect(() => openOps(enc, other, key, 10)).toThrow(/E_ENCRYPTION/);
    expect(() => openOps({ ...enc, e: new Uint8Array(16) }, env, key, 10)).toThrow(/E_ENCRYPTION/);
    expect(() => openOps(enc, env, new Uint8Array(32), 10)).toThrow(/E_ENCRYPTION/);
  });

  it('refuses plaintexts that are not valid document ops', () => {
    for (const inner of [[{ k: 'genesis', name: 'x', nonce: new Uint8Array(16) }], [encOp], [{ k: 'set' }], []]) {
      const enc = sealOps(inner as never, env, epochIdOf(key), key, randomBytes);
      expect(() => openOps(enc, env, key, 10)).toThrow(/E_ENCRYPTION/);
    }
    const many = sealOps([setOp, setOp, setOp] as never, env, epochIdOf(key), key, randomBytes);
    expect(() => openOps(many, env, key, 2)).toThrow(/E_ENCRYPTION/);
  });
});
