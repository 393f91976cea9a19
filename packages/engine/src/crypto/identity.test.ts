import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toHex } from '../bytes.ts';
import { isWeftError } from '../errors.ts';
import type { Ed25519Port, ExportedIdentity } from './crypto-port.ts';
import {
  decodeExportedIdentity,
  defaultEd25519,
  encodeExportedIdentity,
  exportIdentity,
  generateIdentity,
  importIdentity,
  type Identity,
} from './identity.ts';
import { createNobleEd25519 } from './noble-ed25519.ts';
import { createWebCryptoEd25519, detectWebCryptoEd25519 } from './webcrypto-ed25519.ts';

const noble = createNobleEd25519();
let webcrypto: Ed25519Port;
const ports = (): Ed25519Port[] => [webcrypto, noble];

beforeAll(async () => {
  expect(await detectWebCryptoEd25519()).toBe(true);
  webcrypto = createWebCryptoEd25519()!;
});

async function expectKeyError(p: Promise<unknown> | (() => unknown)): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(isWeftError(err, 'E_KEY'), String(err)).toBe(true);
    return;
  }
  expect.fail('expected a WeftError E_KEY');
}

describe('defaultEd25519', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('picks WebCrypto in Node and decides once', async () => {
    const a = await defaultEd25519();
    expect(a.name).toBe('webcrypto');
    expect(await defaultEd25519()).toBe(a);
  });

  // Fresh module instances, so detection runs again against the doctored runtime.
  const freshDefault = async (): Promise<Ed25519Port> => {
    vi.resetModules();
    return (await import('./identity.ts')).defaultEd25519();
  };

  it('falls back to noble when the runtime verifier is lenient (fails the strictness self-test)', async () => {
    vi.spyOn(globalThis.crypto.subtle, 'verify').mockResolvedValue(true);
    const port = await freshDefault();
    expect(port.name).toBe('noble');
    vi.restoreAllMocks();
    const id = await generateIdentity(port);
    expect(await port.verify(id.publicKey, new Uint8Array(1), await id.sign(new Uint8Array(1)))).toBe(true);
  });

  it('falls back to noble without crypto.subtle', async () => {
    const { getRandomValues } = globalThis.crypto;
    vi.stubGlobal('crypto', { getRandomValues: getRandomValues.bind(globalThis.crypto) });
    expect((await freshDefault()).name).toBe('noble');
  });
});

describe('identities', () => {
  it('generates an identity whose author is the hex public key and whose signatures verify', async () => {
    const id = await generateIdentity();
    expect(id.publicKey.length).toBe(32);
    expect(id.author).toBe(toHex(id.publicKey));
    expect(Object.keys(id).sort()).toEqual(['author', 'publicKey', 'sign']);
    const msg = new Uint8Array([1, 2, 3]);
    const sig = await id.sign(msg);
    for (const port of ports()) expect(await port.verify(id.publicKey, msg, sig), port.name).toBe(true);
  });

  it.each(['webcrypto', 'noble'])('export/import round trip from %s, into both adapters', async (name) => {
    const from = name === 'webcrypto' ? webcrypto : noble;
    const id = await generateIdentity(from);
    const exported = await exportIdentity(id);
    expect(exported.v).toBe(1);
    expect(exported.secretKey.length).toBe(32);
    expect(toHex(exported.publicKey)).toBe(id.author);
    const msg = new Uint8Array([9]);
    for (const to of ports()) {
      const back = await importIdentity(exported, to);
      expect(back.author, to.name).toBe(id.author);
      // ed25519 is deterministic: the same key signs the same bytes identically on both adapters.
      expect(toHex(await back.sign(msg)), to.name).toBe(toHex(await id.sign(msg)));
      expect(toHex((await exportIdentity(back)).secretKey), to.name).toBe(toHex(exported.secretKey));
    }
  });

  it('round-trips through the string form', async () => {
    const id = await generateIdentity();
    const text = encodeExportedIdentity(await exportIdentity(id));
    expect(text).toMatch(/^weft-key-v1:[A-Za-z0-9_-]{86}$/);
    const back = await importIdentity(decodeExportedIdentity(`  ${text}\n`));
    expect(back.author).toBe(id.author);
  });
});

describe('bad input is E_KEY', () => {
  let good: ExportedIdentity;
  let other: Identity;
  beforeAll(async () => {
    good = await exportIdentity(await generateIdentity());
    other = await generateIdentity();
  });

  it.each(['webcrypto', 'noble'])('importIdentity on %s', async (name) => {
    const port = name === 'webcrypto' ? webcrypto : noble;
    const bad: unknown[] = [
      null,
      'weft-key-v1:x',
      { ...good, v: 2 },
      { ...good, secretKey: good.secretKey.slice(0, 31) },
      { ...good, secretKey: new Uint8Array(33) },
      { ...good, publicKey: good.publicKey.slice(0, 31) },
      { ...good, publicKey: new Uint8Array(0) },
      { ...good, secretKey: [...good.secretKey] },
      { ...good, publicKey: other.publicKey }, // mismatched: valid lengths, someone else's key
    ];
    for (const b of bad) await expectKeyError(importIdentity(b as ExportedIdentity, port));
  });

  it('exportIdentity of a look-alike object', async () => {
    const fake: Identity = { publicKey: other.publicKey, author: other.author, sign: other.sign };
    await expectKeyError(exportIdentity(fake));
  });

  it('decodeExportedIdentity of malformed strings, and import of a typo', async () => {
    const text = encodeExportedIdentity(good);
    const malformed = ['', 'weft-key-v2:' + text.slice(12), text.slice(0, -1), text + 'A', text.replace(/.$/, '!')];
    malformed.push(text.slice(0, -1) + (text.endsWith('B') ? 'C' : 'B')); // nonzero padding bits
    for (const m of malformed) await expectKeyError(() => decodeExportedIdentity(m));
    // A typo inside the seed still parses, but the public key no longer matches it.
    const typo = text.slice(0, 20) + (text[20] === 'A' ? 'B' : 'A') + text.slice(21);
    await expectKeyError(importIdentity(decodeExportedIdentity(typo)));
    expect(() => encodeExportedIdentity({ ...good, secretKey: new Uint8Array(31) })).toThrow(/E_KEY/);
  });
});
