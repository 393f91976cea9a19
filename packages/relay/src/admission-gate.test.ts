import { describe, expect, it } from 'vitest';
import { AdmissionGate } from './admission-gate.ts';

describe('admission gate', () => {
  it('admits up to maxActive, queues up to maxQueued in order, refuses the rest', async () => {
    const gate = new AdmissionGate(2, 2, 10_000);
    const a = gate.enter()!;
    const b = gate.enter()!;
    expect(await a.outcome).toBe('admitted');
    expect(await b.outcome).toBe('admitted');
    const c = gate.enter()!;
    const d = gate.enter()!;
    expect(gate.enter()).toBeUndefined();
    expect(gate.stats).toMatchObject({ active: 2, queued: 2, refusedTotal: 1 });
    const order: string[] = [];
    void c.outcome.then((o) => order.push(`c ${o}`));
    void d.outcome.then((o) => order.push(`d ${o}`));
    a.done();
    a.done(); // idempotent: frees one slot, not two
    await Promise.resolve();
    expect(order).toEqual(['c admitted']);
    expect(gate.stats).toMatchObject({ active: 2, queued: 1 });
    b.done();
    await Promise.resolve();
    expect(order).toEqual(['c admitted', 'd admitted']);
    c.done();
    d.done();
    expect(gate.stats).toMatchObject({ active: 0, queued: 0, admittedTotal: 4 });
  });

  it('times a waiter out, and a waiter that left never takes a slot', async () => {
    const gate = new AdmissionGate(1, 5, 50);
    const holder = gate.enter()!;
    const late = gate.enter()!;
    const gone = gate.enter()!;
    const next = gate.enter()!;
    gone.done();
    expect(gate.stats.queued).toBe(2);
    expect(await late.outcome).toBe('timeout');
    expect(await next.outcome).toBe('timeout');
    expect(gate.stats).toMatchObject({ active: 1, queued: 0, timedOutTotal: 2 });
    holder.done();
    late.done();
    expect(gate.stats.active).toBe(0);
    expect(await gate.enter()!.outcome).toBe('admitted');
  });
});
