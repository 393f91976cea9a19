import { describe, expect, it } from 'vitest';
import { Mutex, Semaphore, mapConcurrent } from './concurrency.ts';

describe('concurrency helpers', () => {
  it('Semaphore never runs more than its limit and runs waiters in FIFO order', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) =>
        sem.run(async () => {
          active++;
          peak = Math.max(peak, active);
          order.push(i);
          await Promise.resolve();
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(order).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it('Mutex runs sections one at a time, in call order, past failures', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const a = m.run(async () => {
      await new Promise((r) => setTimeout(r, 5));
      log.push('a');
    });
    const b = m.run(() => {
      throw new Error('b failed');
    });
    const c = m.run(() => log.push('c'));
    await a;
    await expect(b).rejects.toThrow('b failed');
    await c;
    expect(log).toEqual(['a', 'c']);
  });

  it('mapConcurrent keeps order and bounds concurrency', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapConcurrent([1, 2, 3, 4, 5, 6], 2, async (x) => {
      active++;
      peak = Math.max(peak, active);
      await Promise.resolve();
      active--;
      return x * 10;
    });
    expect(out).toEqual([10, 20, 30, 40, 50, 60]);
    expect(peak).toBe(2);
  });
});
