import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { StorageAdapter, WriteOp } from '@weft/engine';
import { expectWeftError, runStorageAdapterTests } from '@weft/engine/testing';
import { openSqliteStorage } from './sqlite-storage.ts';

const dir = mkdtempSync(join(tmpdir(), 'weft-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
/** A path for a new database file in the temp dir. */
const freshPath = (): string => join(dir, `db-${++counter}.sqlite`);

const b = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const readU32 = (v: Uint8Array): number => ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0;

runStorageAdapterTests('sqlite (better-sqlite3, file)', () => openSqliteStorage(freshPath()), {
  supportsQuota: true,
  // 256 pages of 4 KiB: 1 MiB in total, a few KiB of it taken by the six empty tables.
  makeFullAdapter: () => openSqliteStorage(freshPath(), { maxPageCount: 256 }),
});

describe('sqlite storage', () => {
  const opened: StorageAdapter[] = [];
  const open = async (path: string, options?: Parameters<typeof openSqliteStorage>[1]): Promise<StorageAdapter> => {
    const db = await openSqliteStorage(path, options);
    opened.push(db);
    return db;
  };
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.close();
  });

  it('keeps every store across close and reopen of the same file', async () => {
    const path = freshPath();
    const first = await open(path);
    await first.write([
      { type: 'put', store: 'changes', key: b(0xff, 0x00), value: text('c') },
      { type: 'put', store: 'docs', key: b(), value: b() },
      { type: 'put', store: 'meta', key: text('heads'), value: text('h1') },
      { type: 'put', store: 'snapshots', key: text('s'), value: new Uint8Array(300_000).fill(5) },
    ]);
    await first.write([{ type: 'put', store: 'meta', key: text('heads'), value: text('h2') }], {
      durability: 'relaxed',
    });
    await first.write([{ type: 'delete', store: 'changes', key: b(0xff, 0x00) }]);
    await first.close();
    // Closing the last connection checkpoints and removes the WAL.
    expect(existsSync(`${path}-wal`)).toBe(false);

    const second = await open(path);
    expect(await second.scan('changes')).toEqual([]);
    expect(await second.get('docs', b())).toEqual(b());
    expect(await second.get('meta', text('heads'))).toEqual(text('h2'));
    expect((await second.get('snapshots', text('s')))?.length).toBe(300_000);
    await second.write([{ type: 'put', store: 'docs', key: b(1), value: b(1) }]);
    expect((await second.scan('docs')).map((e) => e.key)).toEqual([b(), b(1)]);
  });

  it('returns plain Uint8Arrays, not Buffers', async () => {
    const db = await open(freshPath());
    await db.write([{ type: 'put', store: 'docs', key: b(1), value: b(2) }]);
    const [entry] = await db.scan('docs');
    for (const v of [await db.get('docs', b(1)), (await db.getMany('docs', [b(1)]))[0], entry!.key, entry!.value]) {
      expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
    }
  });

  it('keeps acknowledged batches when reopened while the writer still holds the file', async () => {
    const path = freshPath();
    const writer = await open(path);
    await writer.write([{ type: 'put', store: 'docs', key: text('a'), value: text('1') }]);
    await writer.write([{ type: 'put', store: 'docs', key: text('b'), value: text('2') }], { durability: 'relaxed' });
    // The files as a crash would leave them: the main file and the WAL, never checkpointed.
    const copy = join(dir, `copy-${++counter}.sqlite`);
    copyFileSync(path, copy);
    copyFileSync(`${path}-wal`, `${copy}-wal`);
    for (const p of [path, copy]) {
      const reader = await open(p);
      expect(
        (await reader.getMany('docs', [text('a'), text('b')])).map((v) => v && new TextDecoder().decode(v)),
      ).toEqual(['1', '2']);
    }
  });

  it('keeps every acknowledged batch, and no partial one, when the writing process is killed', async () => {
    const path = freshPath();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./sqlite-storage.test-child.ts', import.meta.url)), path, '5'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    let acked = 0;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        if (lines.length > 0) acked = Number(lines[lines.length - 1]);
        if (acked >= 200) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    expect(await exited).toBe('SIGKILL');

    const db = await open(path);
    const last = readU32((await db.get('meta', b(0)))!);
    expect(last).toBeGreaterThanOrEqual(acked);
    const changes = await db.scan('changes');
    const docs = await db.scan('docs');
    // Every batch up to the last committed one is whole; nothing after it is there.
    expect(changes.map((e) => readU32(e.key))).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(docs.map((e) => readU32(e.value))).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(changes.every((e) => e.value.length === 512 && e.value[0] === (readU32(e.key) & 0xff))).toBe(true);
  });

  it('rejects a malformed batch with E_INVALID_ARGUMENT and writes nothing, even across a reopen', async () => {
    const path = freshPath();
    const db = await openSqliteStorage(path);
    await db.write([{ type: 'put', store: 'docs', key: text('k'), value: text('old') }]);
    const malformed: unknown[] = [
      'not an array',
      [{ type: 'put', store: 'docs', key: text('k'), value: text('new') }, null],
      [
        { type: 'put', store: 'docs', key: text('k'), value: text('new') },
        { type: 'put', store: 'docs', key: text('x') },
      ],
      [{ type: 'deleteRange', store: 'docs', gte: b(), lt: 'z' }],
      [{ type: 'put', store: 'docs', key: new ArrayBuffer(2), value: b(1) }],
      [{ type: 'delete', store: 'DOCS', key: text('k') }],
    ];
    for (const ops of malformed) await expectWeftError(db.write(ops as WriteOp[]), 'E_INVALID_ARGUMENT');
    await expectWeftError(db.getMany('docs', [text('k'), 'x' as unknown as Uint8Array]), 'E_INVALID_ARGUMENT');
    await expectWeftError(db.scan('docs', { gte: [1] as unknown as Uint8Array }), 'E_INVALID_ARGUMENT');
    await db.close();
    const reopened = await open(path);
    expect(await reopened.scan('docs')).toEqual([{ key: text('k'), value: text('old') }]);
  });

  it('maps SQLITE_FULL to E_QUOTA, rolls the batch back and stays usable', async () => {
    const path = freshPath();
    const db = await open(path, { maxPageCount: 64 });
    await db.write([{ type: 'put', store: 'meta', key: text('a'), value: b(1) }]);
    const ops: WriteOp[] = Array.from({ length: 100 }, (_, i) => ({
      type: 'put',
      store: 'changes',
      key: u32(i),
      value: new Uint8Array(4096).fill(i),
    }));
    const err = await expectWeftError(db.write([{ type: 'delete', store: 'meta', key: text('a') }, ...ops]), 'E_QUOTA');
    expect(err.details).toEqual({ sqliteCode: 'SQLITE_FULL' });
    expect(await db.scan('changes')).toEqual([]);
    expect(await db.get('meta', text('a'))).toEqual(b(1));
    await db.write(ops.slice(0, 5));
    expect((await db.scan('changes')).length).toBe(5);
  });

  it('rejects bad options with E_INVALID_ARGUMENT and unopenable files with E_STORAGE', async () => {
    await expectWeftError(openSqliteStorage(''), 'E_INVALID_ARGUMENT');
    await expectWeftError(openSqliteStorage(freshPath(), { maxPageCount: 0 }), 'E_INVALID_ARGUMENT');
    await expectWeftError(openSqliteStorage(freshPath(), { busyTimeoutMs: 1.5 }), 'E_INVALID_ARGUMENT');
    await expectWeftError(openSqliteStorage(join(dir, 'missing-dir', 'x.sqlite')), 'E_STORAGE');
    const garbage = join(dir, `garbage-${++counter}.sqlite`);
    writeFileSync(garbage, 'this is not a sqlite database, just some text long enough to have a header'.repeat(100));
    await expectWeftError(openSqliteStorage(garbage), 'E_STORAGE');
    const subdir = join(dir, `as-dir-${++counter}`);
    mkdirSync(subdir);
    await expectWeftError(openSqliteStorage(subdir), 'E_STORAGE');
  });
});
