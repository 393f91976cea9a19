/**
 * Child process for the crash test in sqlite-storage.test.ts: writes numbered three-op batches
 * to the SQLite file named on the command line, forever, printing each batch number once its
 * `write()` has resolved. The test SIGKILLs it mid-stream, so it never closes the file.
 * Run with `node --import tsx`.
 */
import { openSqliteStorage } from './sqlite-storage.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: sqlite-storage.test-child.ts <file>');
const relaxedEvery = Number(process.argv[3] ?? '0');

const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const db = await openSqliteStorage(path);
for (let i = 1; ; i++) {
  await db.write(
    [
      { type: 'put', store: 'changes', key: u32(i), value: new Uint8Array(512).fill(i & 0xff) },
      { type: 'put', store: 'docs', key: u32(i), value: u32(i) },
      { type: 'put', store: 'meta', key: Uint8Array.of(0), value: u32(i) },
    ],
    // Relaxed batches survive a process crash too; only a power cut may drop them.
    { durability: relaxedEvery > 0 && i % relaxedEvery === 0 ? 'relaxed' : 'strict' },
  );
  process.stdout.write(`${i}\n`);
}
