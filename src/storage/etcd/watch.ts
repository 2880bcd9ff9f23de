/**
 * One store watch = one etcd gRPC watch stream. The etcd3 package's own Watcher is not used:
 * it reconnects silently from the response header's revision (which can skip events when
 * etcd batches a catch-up) and turns a compaction into an error without the compacted
 * revision. Here a broken stream ends the watch with onError, and the caller (the API
 * server's watch cache) re-lists or resumes, which is the contract.
 */
import type { IDuplexStream, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { compactedError } from '../checks.js';
import { StorageError, type Watch, type WatchOptions } from '../types.js';
import type { KeySpace } from './convert.js';

export interface StartWatchOptions {
  watchClient: WatchClient;
  keys: KeySpace;
  prefix: string;
  options: WatchOptions;
}

type Stream = IDuplexStream<IWatchRequest, IWatchResponse>;

class EtcdWatch implements Watch {
  private stream: Stream | undefined;
  private isStopped = false;
  /** The last revision delivered; etcd never repeats one, this only guards the contract. */
  private deliveredRevision: number;
  private created: { resolve: () => void; reject: (err: Error) => void } | undefined;
  private readonly onAbort = (): void => this.stop();

  constructor(private readonly start: StartWatchOptions) {
    this.deliveredRevision = start.options.afterRevision;
  }

  async open(): Promise<void> {
    const { keys, prefix, options, watchClient } = this.start;
    const stream = await watchClient.watch();
    this.stream = stream;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    const created = new Promise<void>((resolve, reject) => {
      this.created = { resolve, reject };
    });
    stream.on('data', (response) => this.onResponse(response));
    stream.on('error', (err) => this.fail(new StorageError('Unavailable', `etcd watch: ${err.message}`)));
    stream.on('end', () => this.fail(new StorageError('Unavailable', 'etcd watch stream ended')));
    stream.write({
      create_request: {
        key: keys.toEtcd(prefix),
        range_end: keys.rangeEnd(prefix),
        start_revision: options.afterRevision + 1,
        prev_kv: true,
      },
    });
    await created;
  }

  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.start.options.signal?.removeEventListener('abort', this.onAbort);
    // Stopped (e.g. aborted) while being created: open() returns the stopped watch.
    const created = this.created;
    this.created = undefined;
    created?.resolve();
    // Half-close first so the library does not count our own cancel as a host failure.
    this.stream?.end();
    this.stream?.cancel();
  }

  private onResponse(response: IWatchResponse): void {
    if (this.isStopped) return;
    if (response.canceled) {
      this.fail(this.cancelError(response));
      return;
    }
    if (response.created) {
      this.created?.resolve();
      this.created = undefined;
    }
    const events = response.events
      .map((event) => this.start.keys.toWatchEvent(event))
      .filter((event) => event.kv.modRevision > this.deliveredRevision);
    const last = events.at(-1);
    if (last === undefined) return;
    // etcd sends whole revisions per response (fragment is off), so a batch is never split.
    this.deliveredRevision = last.kv.modRevision;
    try {
      this.start.options.onEvents(events);
    } catch (err) {
      // A consumer that throws has lost its place in the stream: end the watch.
      this.fail(err instanceof Error ? err : new Error(String(err)));
      if (!this.start.options.onError) throw err;
    }
  }

  private cancelError(response: IWatchResponse): StorageError {
    const compactRevision = Number(response.compact_revision);
    if (compactRevision > 0) return compactedError(this.deliveredRevision, compactRevision);
    return new StorageError('Unavailable', `etcd canceled the watch: ${response.cancel_reason || 'no reason given'}`);
  }

  /** Ends the watch: rejects open() if it is still pending, else reports once via onError. */
  private fail(err: Error): void {
    if (this.isStopped) return;
    const created = this.created;
    this.created = undefined;
    this.stop();
    if (created !== undefined) created.reject(err);
    else this.start.options.onError?.(err);
  }
}

export async function startWatch(start: StartWatchOptions): Promise<Watch> {
  const watch = new EtcdWatch(start);
  if (start.options.signal?.aborted) {
    watch.stop();
    return watch;
  }
  await watch.open();
  return watch;
}
