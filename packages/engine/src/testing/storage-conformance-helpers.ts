/** Small helpers shared by the storage conformance suite's files. */
import { expect } from 'vitest';
import { toHex } from '../bytes.ts';
import { WeftError, type WeftErrorCode } from '../errors.ts';
import type { Entry, StorageAdapter } from '../storage/storage-port.ts';

/** Bytes from numbers. */
export const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
/** UTF-8 bytes of `s`. */
export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Entries as `[keyHex, valueHex]` pairs, so failures print readable diffs. */
export const hex = (entries: readonly Entry[]): string[][] => entries.map((e) => [toHex(e.key), toHex(e.value)]);
/** Hex of `v`, or undefined. */
export const hexOrUndef = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : toHex(v));

/** Opens a fresh adapter (from `make`, else the suite's default) that the suite closes after the test. */
export type FreshAdapter = (make?: () => Promise<StorageAdapter>) => Promise<StorageAdapter>;

/** Asserts `promise` rejects with a WeftError carrying `code`, and returns that error. */
export async function expectWeftError(promise: Promise<unknown>, code: WeftErrorCode): Promise<WeftError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected a rejection with ${code}`).toBeInstanceOf(WeftError);
  expect((err as WeftError).code).toBe(code);
  return err as WeftError;
}
