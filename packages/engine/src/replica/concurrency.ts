/** Small async helpers: a FIFO mutex and a bounded-concurrency map. */

/** Runs async sections one at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every earlier section has settled. */
  run<T>(fn: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Maps `items` through async `fn` with at most `limit` calls in flight; keeps order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Limits how many async tasks run at once across all callers. */
export class Semaphore {
  private active = 0;
  // A queue with a moving head: `shift()` is O(n), and a large ingest queues every signature
  // check at once (hundreds of thousands of waiters).
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  /** Runs `fn` when a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.wakeOne();
    }
  }

  private wakeOne(): void {
    if (this.head >= this.waiting.length) return;
    const next = this.waiting[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next();
  }
}
