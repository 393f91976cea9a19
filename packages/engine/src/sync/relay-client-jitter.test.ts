import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateIdentity } from '../crypto/identity.ts';
import { createReplica } from '../replica/open-replica.ts';
import { connectRelay } from './relay-client.ts';
import type { SocketLike } from './socket-transport.ts';

/** A socket that never opens: enough to observe when the link first tries to connect. */
function deadSocket(): SocketLike {
  return {
    binaryType: 'arraybuffer',
    readyState: 0,
    send: () => undefined,
    close: () => undefined,
    addEventListener: () => undefined,
  };
}

afterEach(() => vi.useRealTimers());

describe('connectRelay initialJitterMs', () => {
  it('delays the first attempt by random() × initialJitterMs', async () => {
    const identity = await generateIdentity();
    const replica = await createReplica({ identity, create: { name: 'jitter' } });
    vi.useFakeTimers();
    const opened: number[] = [];
    const link = connectRelay({
      replica,
      identity,
      url: 'ws://127.0.0.1:1/v1/db/x/sync',
      openSocket: () => (opened.push(Date.now()), deadSocket()),
      initialJitterMs: 10_000,
      random: () => 0.25,
    });
    const start = Date.now();
    await vi.advanceTimersByTimeAsync(2_499);
    expect(opened).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(opened).toEqual([start + 2_500]);
    link.close();
  });

  it('connects at once without it, and close() cancels a pending first attempt', async () => {
    const identity = await generateIdentity();
    const replica = await createReplica({ identity, create: { name: 'jitter' } });
    vi.useFakeTimers();
    let opened = 0;
    const open = (): SocketLike => (opened++, deadSocket());
    connectRelay({ replica, identity, url: 'ws://127.0.0.1:1/x', openSocket: open }).close();
    expect(opened).toBe(1);
    const late = connectRelay({
      replica,
      identity,
      url: 'ws://127.0.0.1:1/x',
      openSocket: open,
      initialJitterMs: 1_000,
    });
    late.close();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(opened).toBe(1);
  });
});
