/**
 * The loop every queue-driven controller runs: wait for its informers to sync, then let
 * `workers` loops take keys from the queue and `sync` them; stop shuts the queue down and
 * waits for the workers to finish their current keys. Handlers are the controller's own.
 */
import { runWorkers, type WorkQueue } from '../../client/workqueue.js';
import type { Controller } from '../types.js';

export interface QueueLoopOptions {
  queue: WorkQueue;
  /** The informers whose caches `sync` reads; workers start once all have synced. */
  informers: readonly { waitForSync(): Promise<void> }[];
  workers: number;
  sync: (key: string) => Promise<void>;
  onError: (key: string, err: unknown) => void;
  /** Runs once the informers have synced, before the workers start (e.g. to seed the queue). */
  onSynced?: () => void;
  /**
   * Whether stop() first waits for the informers to sync when it is called before they have.
   * Without it, stop() returns at once in that case.
   */
  stopWaitsForSync?: boolean;
}

export function startQueueLoop(options: QueueLoopOptions): Controller {
  const { queue } = options;
  let workers: Promise<void> | undefined;
  const ready = Promise.all(options.informers.map((i) => i.waitForSync())).then(() => {
    options.onSynced?.();
    workers = runWorkers({ queue, workers: options.workers, sync: options.sync, onError: options.onError });
  });
  return {
    ready,
    async stop() {
      queue.shutDown();
      if (options.stopWaitsForSync) await ready;
      await workers;
    },
  };
}

/** The text of a sync error as the controllers log it. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
