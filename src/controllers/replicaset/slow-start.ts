/**
 * Slow-start batching (upstream slowStartBatch): run `count` calls in batches of 1, 2, 4, ...
 * concurrently, and stop after the first batch with a failure. A quota or webhook that rejects
 * every pod then costs one failed request, not hundreds.
 */
export interface SlowStartResult {
  successes: number;
  /** The first error, if a batch failed. */
  error?: unknown;
}

export async function slowStartBatch(count: number, initialBatchSize: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  let done = 0;
  let batch = Math.max(1, Math.min(initialBatchSize, count));
  while (done < count) {
    const size = Math.min(batch, count - done);
    const start = done;
    const results = await Promise.allSettled(Array.from({ length: size }, (_, i) => fn(start + i)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    done += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes: done, error: failed.reason };
    batch *= 2;
  }
  return { successes: done };
}
