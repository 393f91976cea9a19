/**
 * The conformance suite's failure-path tests: malformed batches, quota and close. What they pin
 * down is that a rejected batch leaves no trace, whatever the backend and whatever the cause.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../bytes.ts';
import type { StorageAdapter, WriteOp } from '../storage/storage-port.ts';
import { b, expectWeftError, hexOrUndef, text, type FreshAdapter } from './storage-conformance-helpers.ts';

/** Registers the failure-path tests inside the caller's `describe`. */
export function defineStorageFailureTests(
  fresh: FreshAdapter,
  options: { readonly supportsQuota?: boolean; readonly makeFullAdapter?: () => Promise<StorageAdapter> },
): void {
  const { makeFullAdapter } = options;
  describe('atomicity', () => {
    const bad: [string, unknown][] = [
      ['an unknown store', { type: 'put', store: 'nope', key: text('x'), value: b(1) }],
      ['a key that is a plain array', { type: 'put', store: 'docs', key: [1, 2], value: b(1) }],
      ['a key that is a string', { type: 'delete', store: 'docs', key: 'x' }],
      ['a missing value', { type: 'put', store: 'docs', key: text('x') }],
      ['a deleteRange without lt', { type: 'deleteRange', store: 'docs', gte: b() }],
      ['an unknown op type', { type: 'upsert', store: 'docs', key: text('x'), value: b(1) }],
    ];
    for (const [what, op] of bad) {
      it(`rejects a batch with ${what} and writes none of it`, async () => {
        const db = await fresh();
        await db.write([{ type: 'put', store: 'docs', key: text('pre'), value: text('old') }]);
        const ops = [
          { type: 'put', store: 'docs', key: text('pre'), value: text('new') },
          { type: 'put', store: 'meta', key: text('a'), value: b(1) },
          op,
          { type: 'put', store: 'docs', key: text('b'), value: b(2) },
        ] as WriteOp[];
        await expectWeftError(db.write(ops), 'E_INVALID_ARGUMENT');
        expect(hexOrUndef(await db.get('docs', text('pre')))).toBe(toHex(text('old')));
        expect(await db.get('meta', text('a'))).toBeUndefined();
        expect(await db.get('docs', text('b'))).toBeUndefined();
      });
    }

    it('rejects reads of an unknown store or a non-byte key', async () => {
      const db = await fresh();
      await expectWeftError(db.get('nope' as 'docs', b(1)), 'E_INVALID_ARGUMENT');
      await expectWeftError(db.get('docs', 'x' as unknown as Uint8Array), 'E_INVALID_ARGUMENT');
      await expectWeftError(db.scan('nope' as 'docs'), 'E_INVALID_ARGUMENT');
      await expectWeftError(db.scan('docs', { limit: -1 }), 'E_INVALID_ARGUMENT');
    });

    // Skipped for adapters that cannot be filled on demand: real IndexedDB in Chromium offers no
    // quota override from inside the page (indexeddb-storage.test.ts tests E_QUOTA with a
    // simulated full backend), and PostgreSQL has no per-database cap to fill.
    it.skipIf(options.supportsQuota !== true)(
      'rejects a batch over quota with E_QUOTA and writes none of it',
      async () => {
        const db = await fresh(makeFullAdapter);
        await db.write([{ type: 'put', store: 'docs', key: text('pre'), value: text('old') }]);
        const big = new Uint8Array(2 * 1024 * 1024).fill(7);
        const err = await expectWeftError(
          db.write([
            { type: 'put', store: 'docs', key: text('pre'), value: text('new') },
            { type: 'put', store: 'meta', key: text('a'), value: b(1) },
            { type: 'put', store: 'snapshots', key: text('big'), value: big },
            { type: 'delete', store: 'docs', key: text('pre') },
          ]),
          'E_QUOTA',
        );
        expect(err.code).toBe('E_QUOTA');
        expect(hexOrUndef(await db.get('docs', text('pre')))).toBe(toHex(text('old')));
        expect(await db.get('meta', text('a'))).toBeUndefined();
        expect(await db.get('snapshots', text('big'))).toBeUndefined();
        // A full backend stays usable for batches that fit.
        await db.write([{ type: 'put', store: 'meta', key: text('a'), value: b(2) }]);
        expect(hexOrUndef(await db.get('meta', text('a')))).toBe('02');
      },
    );
  });

  it('rejects every call with E_CLOSED after close, and close is idempotent', async () => {
    const db = await fresh();
    await db.write([{ type: 'put', store: 'docs', key: b(1), value: b(1) }]);
    await db.close();
    await expectWeftError(db.get('docs', b(1)), 'E_CLOSED');
    await expectWeftError(db.getMany('docs', [b(1)]), 'E_CLOSED');
    await expectWeftError(db.scan('docs'), 'E_CLOSED');
    await expectWeftError(db.write([{ type: 'put', store: 'docs', key: b(2), value: b(2) }]), 'E_CLOSED');
    await db.close();
  });
}
