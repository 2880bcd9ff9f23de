/** Watch helpers for the contract suite: a collecting watcher and polling waits. */
import type { Store, Watch, WatchEvent } from './types.js';

export interface CollectedWatch {
  events: WatchEvent[];
  batches: WatchEvent[][];
  errors: Error[];
  stop(): void;
}

export async function collectWatch(
  store: Store,
  prefix: string,
  afterRevision: number,
  signal?: AbortSignal,
): Promise<CollectedWatch> {
  const events: WatchEvent[] = [];
  const batches: WatchEvent[][] = [];
  const errors: Error[] = [];
  const watch: Watch = await store.watch(prefix, {
    afterRevision,
    signal,
    onEvents: (batch) => {
      batches.push(batch);
      events.push(...batch);
    },
    onError: (err) => errors.push(err),
  });
  return { events, batches, errors, stop: () => watch.stop() };
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Gives in-flight events time to arrive, for tests that assert something did NOT arrive.
 * A sentinel write under another prefix would not prove delivery order across watches, so
 * this waits a fixed while after a round trip to the store.
 */
export async function settle(store: Store): Promise<void> {
  await store.currentRevision();
  await new Promise((resolve) => setTimeout(resolve, 150));
}
