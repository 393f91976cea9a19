import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, toHex, utf8 } from '../bytes.ts';
import { hashWithDomain, sha256 } from './sha256.ts';

const nodeSha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

describe('sha256', () => {
  it('matches the FIPS 180-2 examples', () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto on arbitrary input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(toHex(sha256(data))).toBe(nodeSha256(data));
      }),
    );
  });
});

describe('hashWithDomain', () => {
  it('is sha256(utf8(domain) ‖ data)', () => {
    fc.assert(
      fc.property(fc.string(), fc.uint8Array({ maxLength: 300 }), (domain, data) => {
        const expected = nodeSha256(concatBytes(utf8(domain), data));
        expect(toHex(hashWithDomain(domain, data))).toBe(expected);
      }),
    );
  });

  it('handles a multi-byte domain and a large payload, and leaves the input untouched', () => {
    const data = new Uint8Array(1 << 20).map((_, i) => i * 31);
    const copy = data.slice();
    expect(toHex(hashWithDomain('weft/change/v1 ✓', data))).toBe(
      nodeSha256(concatBytes(utf8('weft/change/v1 ✓'), data)),
    );
    expect(data).toEqual(copy);
  });

  it('separates domains', () => {
    const data = utf8('same bytes');
    expect(toHex(hashWithDomain('weft/change/v1', data))).not.toBe(toHex(hashWithDomain('weft/schema/v1', data)));
    expect(toHex(hashWithDomain('', data))).toBe(toHex(sha256(data)));
  });
});
