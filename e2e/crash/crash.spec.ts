/**
 * Crash test against real Chromium and the real IndexedDB adapter.
 *
 * A page applies 200 large mutations to a replica and reports each acknowledged one (`ack i`,
 * logged once `change()` resolved). At seeded points the test kills it: either the renderer
 * (CDP `Page.crash`: the page dies mid-mutation, the browser's IndexedDB backend survives and
 * must not keep half a transaction) or the whole browser (SIGKILL of its main process by PID:
 * whatever was acknowledged with strict durability must be on disk). After every kill a fresh
 * page reopens the same profile and checks that the state is exactly a prefix of the mutations:
 * it equals a clean replay of mutations 0..last (so nothing is half-applied), the log holds
 * genesis plus one change per mutation, and `last` is at least the highest acknowledged index
 * (so nothing acknowledged was lost). Then it carries on from `last + 1`.
 *
 * `WEFT_SEED=<n>` replays a run; the seed is printed first.
 */
import { readFile, readdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { Rng } from '../../packages/engine/src/testing/random.ts';
import { launchOptions } from '../support/chromium.ts';
import { startPageServer, type PageServer } from '../support/vite-server.ts';
import { MUTATIONS } from './workload.ts';
import type { Verdict } from './page.ts';

const KILLS = 6;

type Mode = 'renderer' | 'browser';

/** PID of the browser's main process for `profile` (the one without `--type=`). */
async function browserPid(profile: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmd.split('\0');
    if (args.includes(`--user-data-dir=${profile}`) && !args.some((a) => a.startsWith('--type='))) return Number(entry);
  }
  throw new Error(`no browser process for ${profile}`);
}

test('after a crash at any point the state is exactly a prefix of the committed mutations', async () => {
  test.setTimeout(170_000);
  const seed = Number(process.env.WEFT_SEED ?? Date.now() % 1_000_000);
  console.log(`[crash] WEFT_SEED=${seed} (replay: WEFT_SEED=${seed} npm run test:e2e)`);
  const rng = new Rng(seed);
  const killAt = [...new Set(Array.from({ length: KILLS }, () => rng.int(MUTATIONS - 1)))].sort((a, b) => a - b);
  const modes = killAt.map((): Mode => (rng.bool() ? 'renderer' : 'browser'));

  let server: PageServer | undefined;
  let context: BrowserContext | undefined;
  const profile = await mkdtemp(join(tmpdir(), 'weft-crash-profile-'));
  let maxAcked = -1;
  let maxIssued = -1;
  const log: string[] = [];
  try {
    server = await startPageServer(import.meta.dirname);
    context = await chromium.launchPersistentContext(profile, launchOptions);
    // Time between consecutive acks of one session: how long one mutation takes here.
    let lastAckAt: number | undefined;
    let ackInterval = 50;
    let onAck: ((i: number) => void) | undefined;
    const openPage = async (ctx: BrowserContext): Promise<Page> => {
      const page = await ctx.newPage();
      page.on('console', (msg) => {
        const [what, n] = msg.text().split(' ');
        const i = Number(n);
        if (what === 'issue') maxIssued = Math.max(maxIssued, i);
        if (what !== 'ack') return;
        maxAcked = Math.max(maxAcked, i);
        const now = Date.now();
        if (lastAckAt !== undefined) ackInterval = 0.8 * ackInterval + 0.2 * (now - lastAckAt);
        lastAckAt = now;
        onAck?.(i);
      });
      await page.goto(server!.url);
      await page.waitForFunction(() => 'weftCrash' in globalThis);
      return page;
    };
    const verify = async (page: Page): Promise<Verdict> => {
      // Each session picks the adapter's write path: every batch through the write-behind
      // journal (crashes then also hit half-drained journals), or every batch direct.
      const journalMinOps = rng.bool() ? 1 : Infinity;
      const v = await page.evaluate(
        ([s, j]) =>
          (globalThis as unknown as { weftCrash: { verify(s: number, j: number): Promise<Verdict> } }).weftCrash.verify(
            s,
            j,
          ),
        [seed, journalMinOps] as const,
      );
      const held = v.last < 0 ? 'no mutations' : `exactly mutations 0..${v.last}`;
      log.push(`reopened: ${held}; next session ${journalMinOps === 1 ? 'journaled' : 'direct'}`);
      const at = `[WEFT_SEED=${seed}] after kills ${JSON.stringify(log)}`;
      expect(v.stateHash, `${at}: state is not the replay of mutations 0..${v.last}`).toBe(v.replayHash);
      expect(v.changes, `${at}: stored changes`).toBe(v.last + 2);
      expect(v.last, `${at}: acknowledged mutation ${maxAcked} lost`).toBeGreaterThanOrEqual(maxAcked);
      expect(v.last, `${at}: state beyond the issued mutations`).toBeLessThanOrEqual(maxIssued);
      return v;
    };

    for (;;) {
      const page = await openPage(context);
      const v = await verify(page);
      lastAckAt = undefined;
      if (v.last === MUTATIONS - 1) break;
      while (killAt.length > 0 && killAt[0]! <= v.last) {
        killAt.shift();
        modes.shift();
      }
      const target = killAt.shift();
      const mode = modes.shift() ?? 'renderer';
      const cdp = await context.newCDPSession(page);
      const killed = new Promise<void>((resolve) => {
        onAck = (i) => {
          if (target === undefined || i !== target) return;
          onAck = undefined;
          // Land somewhere inside the next mutation: sign, encode, apply or the IndexedDB commit.
          const delay = rng.next() * Math.min(ackInterval, 1000);
          setTimeout(() => {
            log.push(`${mode} kill after ack ${i} +${delay.toFixed(1)}ms (acked ${maxAcked}, issued ${maxIssued})`);
            if (mode === 'renderer') cdp.send('Page.crash').catch(() => undefined);
            else void browserPid(profile).then((pid) => process.kill(pid, 'SIGKILL'));
            resolve();
          }, delay);
        };
      });
      const running = page
        .evaluate(
          ([s, from]) =>
            (globalThis as unknown as { weftCrash: { run(s: number, f: number): Promise<void> } }).weftCrash.run(
              s,
              from,
            ),
          [seed, v.last + 1] as const,
        )
        .then(
          () => 'finished',
          () => 'killed',
        );
      if (target === undefined) {
        expect(await running).toBe('finished');
        await page.close();
        continue;
      }
      await killed;
      // A kill aimed just before the end may land after the last mutation: still a valid crash.
      await running;
      if (mode === 'renderer') await page.close().catch(() => undefined);
      else {
        await context.close().catch(() => undefined);
        context = await chromium.launchPersistentContext(profile, launchOptions);
      }
    }
    const kills = log.filter((l) => l.includes('kill')).length;
    console.log(`[crash] WEFT_SEED=${seed}: ${kills} kills, every reopen a committed prefix`);
    for (const line of log) console.log(`[crash]   ${line}`);
  } finally {
    await context?.close().catch(() => undefined);
    await server?.close();
    await rm(profile, { recursive: true, force: true });
  }
});
