import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresSkipReason, startTestPostgres } from './storage/postgres-test-server.test-support.ts';

const BIN = resolve(import.meta.dirname, '../bin/weft-relay.js');

function run(
  args: string[],
  onOut?: (text: string, kill: () => void) => void,
): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const take = (d: Buffer) => {
      out += String(d);
      onOut?.(out, () => process.kill(child.pid!, 'SIGTERM'));
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('exit', (code) => done({ code, out }));
  });
}

describe('weft-relay binary', () => {
  it('refuses unknown options and bad limits with exit code 2', async () => {
    expect((await run(['--nope'])).code).toBe(2);
    const bad = await run(['--limit', 'maxConnections=-1']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('known limits');
    const noSchema = await run(['--schema', resolve(import.meta.dirname, 'token-bucket.ts')]);
    expect(noSchema.code).toBe(2);
    expect(noSchema.out).toContain('exports no Schema');
  });

  it('listens on 127.0.0.1, takes limits, and exits cleanly on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
    try {
      let killed = false;
      const schema = resolve(import.meta.dirname, '../../../examples/todo/src/schema.ts#todoSchema');
      const args = ['--port', '0', '--data', dir, '--limit', 'maxConnections=5', '--schema', schema];
      const res = await run(args, (out, kill) => {
        if (!killed && out.includes('listening on http://127.0.0.1:')) {
          killed = true;
          kill();
        }
      });
      expect(res.out).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
      expect(res.out).toContain('SIGTERM, flushing and closing');
      expect(res.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --postgres that is not a postgres:// url, and fails to start when PostgreSQL is unreachable', async () => {
    const bad = await run(['--postgres', 'mysql://localhost/x']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain('--postgres takes a postgres://');
    const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
    try {
      const down = await run(['--port', '0', '--data', dir, '--postgres', 'postgres://nobody@127.0.0.1:1/none']);
      expect(down.code).not.toBe(0);
      expect(down.out).toContain('E_STORAGE');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(postgresSkipReason() !== undefined)(
    'stores in PostgreSQL with --postgres, without printing the password',
    async () => {
      const server = await startTestPostgres();
      const dir = await mkdtemp(join(tmpdir(), 'weft-cli-'));
      try {
        const url = (await server.createDatabase()).replace('postgres@', 'postgres:s3cret@');
        let killed = false;
        const res = await run(['--port', '0', '--data', dir, '--postgres', url], (out, kill) => {
          if (!killed && out.includes('listening on http://127.0.0.1:')) {
            killed = true;
            kill();
          }
        });
        expect(res.out).toMatch(
          /listening on http:\/\/127\.0\.0\.1:\d+ \(data in postgres 127\.0\.0\.1:\d+\/weft_test_/,
        );
        expect(res.out).not.toContain('s3cret');
        expect(res.code).toBe(0);
      } finally {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
