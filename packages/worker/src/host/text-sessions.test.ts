/**
 * Text editing through the host, as a property: two tabs (TextObservers) edit one field through
 * a TextSessions host while a remote replica edits it concurrently and syncs both ways; every
 * message is delayed and the deliveries interleave at random (seeded). When everything is
 * delivered, both tabs, the host and the remote hold the same text, and no edit was lost: each
 * inserted marker survives unless a delete covered it.
 */
import { describe, expect, it } from 'vitest';
import {
  collection,
  createReplica,
  defineSchema,
  generateIdentity,
  newDocId,
  rules,
  string,
  text,
  type Replica,
} from '@weft/engine';
import { Rng, seedsToRun, withSeed } from '@weft/engine/testing';
import { TextSessions } from './text-sessions.ts';
import { TextObserver, type TextHost } from '../client/text-observer.ts';
import type { Push, TextPush } from '../protocol/host-api.ts';
import { applyEdits, codePointLength, type TextEdit } from '../protocol/text-ops.ts';
import { diffText } from './text-diff.ts';

/** A tab whose calls and pushes wait in queues until the test delivers them. */
class QueuedTab implements TextHost {
  readonly calls: (() => void)[] = [];
  readonly pushes: Push[] = [];
  private readonly sinks = new Map<string, (p: TextPush) => void>();
  private n = 0;
  constructor(
    private readonly host: TextSessions,
    private readonly name: string,
  ) {}
  newSubId(): string {
    return `${this.name}-${++this.n}`;
  }
  startText(sub: string, c: string, d: string, f: string, onPush: (p: TextPush) => void): Promise<void> {
    this.sinks.set(sub, onPush);
    return new Promise((resolve, reject) =>
      this.calls.push(() => {
        try {
          this.host.open(sub, sub, c, d, f, (p) => void this.pushes.push(p));
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      }),
    );
  }
  stopText(sub: string): void {
    this.sinks.delete(sub);
    this.calls.push(() => this.host.close(sub));
  }
  sendTextEdits(sub: string, base: number, edits: readonly TextEdit[]): Promise<void> {
    return new Promise((resolve, reject) =>
      this.calls.push(() => {
        try {
          this.host.edit(sub, base, edits);
          resolve();
        } catch (err) {
          reject(err as Error);
        }
      }),
    );
  }
  deliverPush(): void {
    const p = this.pushes.shift() as TextPush;
    this.sinks.get(p.sub)?.(p);
  }
}

function randomEdit(rng: Rng, text: string, tag: string): TextEdit[] {
  const len = codePointLength(text);
  if (len > 0 && rng.int(3) === 0) {
    const i = rng.int(len);
    return [['d', i, 1 + rng.int(Math.min(3, len - i))]];
  }
  return [['i', rng.int(len + 1), rng.int(4) === 0 ? `${tag}😀` : tag]];
}

/** Sends every change one replica has and the other lacks. */
async function exchange(from: Replica, to: Replica): Promise<void> {
  await from.flush();
  const have = new Set(to.changes().map((e) => e.sc.hash));
  const missing = from.changes().filter((e) => !have.has(e.sc.hash));
  if (missing.length > 0) await to.ingestMany(missing.map((e) => e.sc.bytes));
}

describe('text sessions', () => {
  it('tabs, host and a concurrent remote converge on one text (seeded)', async () => {
    for (const seed of seedsToRun(12, 300)) {
      await withSeed(seed, async () => {
        const rng = new Rng(seed);
        const a = await createReplica({ identity: await generateIdentity(), create: { name: 't' } });
        const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
        const id = newDocId();
        await a.change((tx) => void tx.insert('notes', { title: 'n' }, id));
        a.editText('notes', id, 'body').insert(0, 'hello world');
        await exchange(a, b);
        const host = new TextSessions(a);
        const tabs = [new QueuedTab(host, 'x'), new QueuedTab(host, 'y')];
        const obs = tabs.map((t) => new TextObserver(t, 'notes', id, 'body'));
        for (const t of tabs) t.calls.shift()!();
        for (const t of tabs) t.deliverPush();
        let serial = 0;
        for (let step = 0; step < 200; step++) {
          const r = rng.int(10);
          const k = rng.int(2);
          const t = tabs[k]!;
          if (r < 3) obs[k]!.edit(randomEdit(rng, obs[k]!.text, `<${k}${serial++}>`));
          else if (r < 5 && t.calls.length > 0) t.calls.shift()!();
          else if (r < 7 && t.pushes.length > 0) t.deliverPush();
          else if (r === 7) {
            const h = b.editText('notes', id, 'body');
            const [e] = randomEdit(rng, h.toString(), `<r${serial++}>`);
            if (e![0] === 'i') h.insert(e![1], e![2]);
            else h.delete(e![1], e![2]);
          } else if (r === 8) await exchange(b, a);
          else if (r === 9) await exchange(a, b);
          // Let answered calls' promises settle.
          await Promise.resolve();
        }
        for (let round = 0; round < 50; round++) {
          let moved = false;
          for (const t of tabs) {
            while (t.calls.length > 0 || t.pushes.length > 0) {
              moved = true;
              if (t.calls.length > 0) t.calls.shift()!();
              if (t.pushes.length > 0) t.deliverPush();
              await Promise.resolve();
            }
          }
          await exchange(a, b);
          await exchange(b, a);
          await new Promise((res) => setTimeout(res, 0));
          if (!moved && tabs.every((t) => t.calls.length === 0 && t.pushes.length === 0)) break;
        }
        const text = a.get('notes', id)!.body as string;
        expect(b.get('notes', id)!.body).toBe(text);
        for (const o of obs) expect(o.text).toBe(text);
        // No tab had to reload (which would drop its unacknowledged edits).
        expect(obs.map((o) => o.version.sub)).toEqual(['x-1', 'y-1']);
        await a.close();
        await b.close();
      });
    }
  });

  it('refuses a base version it never sent, and unknown subscriptions, before changing anything', async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 't' } });
    const id = newDocId();
    await a.change((tx) => void tx.insert('notes', { title: 'n' }, id));
    const host = new TextSessions(a);
    const pushes: Push[] = [];
    host.open('k1', 's1', 'notes', id, 'body', (p) => void pushes.push(p));
    expect(pushes).toEqual([{ weft: 'text', sub: 's1', kind: 'reset', v: expect.any(Number), text: '' }]);
    const v0 = (pushes[0] as { v: number }).v;
    expect(() => host.edit('k1', v0 + 5, [['i', 0, 'x']])).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    expect(() => host.edit('k1', v0, [['i', 3, 'x']])).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
    expect(() => host.edit('nope', v0, [['i', 0, 'x']])).toThrow(expect.objectContaining({ code: 'E_NOT_FOUND' }));
    expect(() => host.open('k2', 's2', '../x', id, 'body', () => undefined)).toThrow(
      expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }),
    );
    host.edit('k1', v0, [['i', 0, 'ab']]);
    expect(a.get('notes', id)!.body).toBe('ab');
    expect(pushes.at(-1)).toMatchObject({ kind: 'edits', v: v0 + 1, own: true });
    // Another writer moves the field on past the history kept: an edit at v0 is then stale.
    for (let i = 0; i < 520; i++) host.edit('k1', v0 + 1 + i, [['i', 0, 'x']]);
    expect(() => host.edit('k1', v0, [['i', 0, 'late']])).toThrow(expect.objectContaining({ code: 'E_STALE' }));
    await a.close();
  });
});

describe('refused edits', () => {
  it('an edit the replica refuses to sign is reverted in every tab', async () => {
    const schema = defineSchema({
      notes: collection({ owner: string(), body: text() }, { allow: { write: rules.isOwner('owner') } }),
    });
    const ia = await generateIdentity();
    const a = await createReplica({ identity: ia, create: { name: 't' }, schema });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId, schema });
    const id = newDocId();
    await a.change((tx) => void tx.insert('notes', { owner: ia.author }, id));
    a.editText('notes', id, 'body').insert(0, 'mine');
    await exchange(a, b);
    const host = new TextSessions(b);
    const pushes: Push[] = [];
    host.open('k', 's', 'notes', id, 'body', (p) => void pushes.push(p));
    const v0 = (pushes[0] as { v: number }).v;
    host.edit('k', v0, [['i', 0, 'not yours: ']]);
    expect(b.get('notes', id)!.body).toBe('not yours: mine'); // shown at once, like any typing
    // The burst is signed on its own timer, refused, and undone by a reload that commits
    // nothing; the host's re-check after the edit finds the drift and pushes the revert.
    for (let i = 0; i < 150 && pushes.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pushes).toHaveLength(3);
    expect(b.get('notes', id)!.body).toBe('mine');
    const last = pushes.at(-1) as unknown as { kind: string; edits: TextEdit[] };
    expect(applyEdits('not yours: mine', last.edits)).toBe('mine');
    host.dispose();
    await a.close();
    await b.close();
  });
});

describe('intention', () => {
  it("a tab's edit made before a remote change lands where the user made it", async () => {
    const a = await createReplica({ identity: await generateIdentity(), create: { name: 't' } });
    const b = await createReplica({ identity: await generateIdentity(), db: a.dbId });
    const id = newDocId();
    await a.change((tx) => void tx.insert('notes', { title: 'n' }, id));
    a.editText('notes', id, 'body').insert(0, 'hello world');
    await exchange(a, b);
    const host = new TextSessions(a);
    const tab = new QueuedTab(host, 'x');
    const o = new TextObserver(tab, 'notes', id, 'body');
    tab.calls.shift()!();
    tab.deliverPush();
    b.editText('notes', id, 'body').insert(0, 'big ');
    await exchange(b, a); // the host is now at version 1; the tab still shows version 0
    o.edit([['i', 5, '!']]); // "hello!" as the tab sees it
    tab.calls.shift()!();
    while (tab.pushes.length > 0) tab.deliverPush();
    expect(a.get('notes', id)!.body).toBe('big hello! world');
    expect(o.text).toBe('big hello! world');
    await a.close();
    await b.close();
  });
});

describe('text diff', () => {
  it('turns one text into another, reporting separate regions separately (seeded)', () => {
    for (const seed of seedsToRun(200, 900)) {
      withSeed(seed, () => {
        const rng = new Rng(seed);
        const alphabet = 'abcab😀 ';
        const word = (n: number) => Array.from({ length: n }, () => [...alphabet][rng.int(8)]).join('');
        const before = word(rng.int(40));
        let after = before;
        for (let k = rng.int(4); k > 0; k--) {
          const len = codePointLength(after);
          const i = rng.int(len + 1);
          after = applyEdits(after, rng.int(2) === 0 || len === i ? [['i', i, word(3)]] : [['d', i, 1]]);
        }
        expect(applyEdits(before, diffText(before, after))).toBe(after);
      });
    }
    expect(diffText('abcXdefYghi', 'abcdefghi')).toEqual([
      ['d', 3, 1],
      ['d', 6, 1],
    ]);
  });
});
