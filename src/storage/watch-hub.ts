/**
 * In-process watch fan-out for the stores whose writes all happen in this process (memory and
 * SQLite). A store registers a watcher and reads the backlog (committed events after the
 * watcher's revision) in the same synchronous step, and publishes every commit right after
 * it; since JavaScript runs one step at a time no event can fall between the backlog and the
 * live stream, and none can appear in both.
 *
 * Delivery is deferred to a later macrotask so a consumer never runs inside a writer's call,
 * and everything queued by then goes out in one `onEvents` call (whole revisions only).
 */
import { hasPrefix } from './keys.js';
import { StorageError, type Watch, type WatchEvent, type WatchOptions } from './types.js';

export function eventRevision(event: WatchEvent): number {
  return event.kv.modRevision;
}

class HubWatch implements Watch {
  private pending: WatchEvent[] = [];
  private isScheduled = false;
  private isStopped = false;
  /** The highest revision queued so far; a watch from a future revision skips up to it. */
  private queuedRevision: number;
  private readonly onAbort = (): void => this.stop();

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    private readonly options: WatchOptions,
  ) {
    this.queuedRevision = options.afterRevision;
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  enqueue(events: WatchEvent[]): void {
    if (this.isStopped) return;
    for (const event of events) {
      if (eventRevision(event) <= this.queuedRevision) continue;
      this.queuedRevision = eventRevision(event);
      if (hasPrefix(event.kv.key, this.prefix)) this.pending.push(event);
    }
    if (this.pending.length > 0 && !this.isScheduled) {
      this.isScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  stop(): void {
    if (this.isStopped) return;
    this.isStopped = true;
    this.pending = [];
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.hub.remove(this);
  }

  /** Ends the watch because the store went away. */
  fail(err: Error): void {
    if (this.isStopped) return;
    this.stop();
    this.options.onError?.(err);
  }

  private flush(): void {
    this.isScheduled = false;
    if (this.isStopped || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.options.onEvents(batch);
    } catch (err) {
      // A consumer that throws has lost its place in the stream; end the watch rather than
      // carry on with a gap it would never notice.
      this.fail(err instanceof Error ? err : new Error(String(err)));
      if (!this.options.onError) throw err;
    }
  }
}

export class WatchHub {
  private readonly watches = new Set<HubWatch>();

  /**
   * Starts a watch. `backlog` must hold every committed event after `options.afterRevision`
   * (any prefix; it is filtered here) and be read in the same synchronous step as this call.
   */
  add(prefix: string, options: WatchOptions, backlog: WatchEvent[]): Watch {
    const watch = new HubWatch(this, prefix, options);
    if (options.signal?.aborted) {
      watch.stop();
      return watch;
    }
    this.watches.add(watch);
    watch.enqueue(backlog);
    return watch;
  }

  /** Called after each commit with that commit's events. */
  publish(events: WatchEvent[]): void {
    for (const watch of this.watches) watch.enqueue(events);
  }

  remove(watch: HubWatch): void {
    this.watches.delete(watch);
  }

  get size(): number {
    return this.watches.size;
  }

  closeAll(): void {
    for (const watch of [...this.watches]) {
      watch.fail(new StorageError('Unavailable', 'store closed'));
    }
  }
}
