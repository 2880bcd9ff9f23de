/**
 * The work queue of a controller, with client-go's guarantees: a key is queued at most once;
 * a key is never processed by two workers at once; a key added while it is being processed
 * is processed again afterwards; failures are retried with per-key exponential back-off.
 */

export interface WorkQueueOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * A key that changed while it was being synced waits this long before its next sync, so a
   * burst of events on one hot key (a ReplicaSet with thousands of pods) costs a few syncs,
   * not one per event. 0 (default) re-queues at once.
   */
  minResyncMs?: number;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; dueAt: number }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly minResyncMs: number;

  constructor(options: WorkQueueOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 60_000;
    this.minResyncMs = options.minResyncMs ?? 0;
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  add(key: string): void {
    if (this.shuttingDown) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
      return;
    }
    this.queue.push(key);
  }

  /** Adds a key after a delay; of several pending delays for one key, the earliest wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    const dueAt = Date.now() + delayMs;
    const pending = this.timers.get(key);
    if (pending) {
      if (pending.dueAt <= dueAt) return;
      clearTimeout(pending.timer);
    }
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, delayMs);
    timer.unref();
    this.timers.set(key, { timer, dueAt });
  }

  /** Re-queues a key after a failure, waiting longer each time it fails again. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n));
  }

  /** Forgets a key's failures (after a successful sync). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.head < this.queue.length) {
      const key = this.queue[this.head++] as string;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key processed; if it changed meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    if (!this.dirty.delete(key)) return;
    if (this.minResyncMs > 0) this.addAfter(key, this.minResyncMs);
    else this.add(key);
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }
}

/**
 * Runs `workers` loops taking keys from the queue and calling `sync`; a failed sync is
 * retried with back-off. Resolves when the queue is shut down and the workers are idle.
 */
export async function runWorkers(args: {
  queue: WorkQueue;
  workers: number;
  sync: (key: string) => Promise<void>;
  onError?: (key: string, err: unknown) => void;
}): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await args.queue.get();
      if (key === undefined) return;
      try {
        await args.sync(key);
        args.queue.forget(key);
      } catch (err) {
        args.onError?.(key, err);
        args.queue.addRateLimited(key);
      } finally {
        args.queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: args.workers }, worker));
}
