/**
 * The few host globals the engine touches, typed locally. The engine runs in browsers, workers
 * and Node, so it declares what it needs instead of depending on DOM or Node typings.
 */

/** Minimal WebCrypto SubtleCrypto surface used by the Ed25519 adapter. */
export interface SubtleLike {
  generateKey(alg: unknown, extractable: boolean, usages: string[]): Promise<unknown>;
  importKey(format: string, data: unknown, alg: unknown, extractable: boolean, usages: string[]): Promise<unknown>;
  exportKey(format: string, key: unknown): Promise<unknown>;
  sign(alg: unknown, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  verify(alg: unknown, key: unknown, signature: Uint8Array, data: Uint8Array): Promise<boolean>;
}

interface HostGlobals {
  readonly TextEncoder: new () => { encode(input?: string): Uint8Array };
  readonly TextDecoder: new (
    label?: string,
    options?: { fatal?: boolean; ignoreBOM?: boolean },
  ) => { decode(input?: Uint8Array): string };
  readonly crypto?: { readonly subtle?: SubtleLike; getRandomValues<T extends Uint8Array>(array: T): T };
  setTimeout(cb: () => void, ms?: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Typed view of `globalThis`. */
export const host = globalThis as unknown as HostGlobals;

/** Fills a fresh array with cryptographically secure random bytes. */
export function randomBytes(n: number): Uint8Array {
  const c = host.crypto;
  if (c === undefined) throw new Error('no crypto.getRandomValues in this runtime');
  return c.getRandomValues(new Uint8Array(n));
}
