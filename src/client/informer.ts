/**
 * An informer: lists a resource, then watches it from the list's resourceVersion, keeping an
 * indexed local copy and telling handlers what changed. A watch that ends is resumed from the
 * last version seen; a 410 (history gone) or a failed resume leads to a fresh list, whose
 * differences from the local copy are delivered as adds, updates and deletes, so no change is
 * ever missed, only coalesced.
 */
import type { ResourceInfo } from '../api/resources.js';
import { isStatusError } from '../api/status.js';
import type { KubeObject } from '../api/types.js';
import type { Logger } from '../lib/log.js';
import { keyOf } from './keys.js';
import { ObjectCache } from './object-cache.js';
import type { ApiClient, WatchEvent } from './rest.js';

export interface EventHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(old: T, obj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Back-off between failed attempts (ms): starts at min, doubles up to max. */
  backoff?: { minMs: number; maxMs: number };
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly cache = new ObjectCache<T>();
  private readonly handlers: EventHandlers<T>[] = [];
  private resourceVersion = '';
  private synced = false;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: ApiClient,
    readonly info: ResourceInfo,
    private readonly log: Logger,
    private readonly options: InformerOptions = {},
  ) {}

  addHandlers(handlers: EventHandlers<T>): void {
    this.handlers.push(handlers);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const { minMs, maxMs } = this.options.backoff ?? { minMs: 100, maxMs: 5000 };
    let delay = minMs;
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.relist();
          needList = false;
        }
        await this.watch(signal);
        delay = minMs;
      } catch (err) {
        if (signal.aborted) break;
        if (err instanceof WatchExpired || isStatusError(err, 'Expired') || isStatusError(err, 'Gone')) {
          this.log.info({ resource: this.info.plural, resourceVersion: this.resourceVersion }, 'watch expired (410); relisting');
          needList = true;
          continue;
        }
        // A failed connection resumes the watch from the last version seen (a 410 then relists).
        this.log.warn({ resource: this.info.plural, err: err instanceof Error ? err.message : String(err) }, 'list/watch failed; retrying');
        await sleep(delay, signal);
        delay = Math.min(maxMs, delay * 2);
      }
    }
  }

  private async relist(): Promise<void> {
    const list = await this.client.list<T>(this.info, this.options.namespace, {
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    });
    const seen = new Set<string>();
    for (const obj of list.items) {
      seen.add(keyOf(obj));
      this.apply('ADDED', obj);
    }
    for (const key of this.cache.keys()) {
      if (seen.has(key)) continue;
      const old = this.cache.remove(key);
      if (old) for (const h of this.handlers) h.onDelete?.(old);
    }
    this.resourceVersion = list.metadata.resourceVersion ?? '';
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w();
      this.syncWaiters = [];
    }
  }

  private async watch(signal: AbortSignal): Promise<void> {
    let expired = false;
    await this.client.watch<T>(
      this.info,
      this.options.namespace,
      {
        resourceVersion: this.resourceVersion,
        labelSelector: this.options.labelSelector,
        fieldSelector: this.options.fieldSelector,
        allowWatchBookmarks: true,
        timeoutSeconds: 300 + Math.floor(Math.random() * 300),
        signal,
      },
      (event: WatchEvent<T>) => {
        if (event.type === 'ERROR') {
          expired = true;
          return;
        }
        const rv = event.object.metadata?.resourceVersion;
        if (rv) this.resourceVersion = rv;
        if (event.type !== 'BOOKMARK') this.apply(event.type, event.object);
      },
    );
    // An ERROR event is the server saying the version is too old: list again.
    if (expired) throw new WatchExpired();
  }

  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    // Controllers never read managedFields; dropping them saves about 40% of a cached pod.
    delete obj.metadata.managedFields;
    if (type === 'DELETED') {
      const old = this.cache.remove(keyOf(obj));
      for (const h of this.handlers) h.onDelete?.(old ?? obj);
      return;
    }
    const old = this.cache.put(obj);
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, obj);
      else h.onAdd?.(obj);
    }
  }
}

class WatchExpired extends Error {
  constructor() {
    super('watch expired: resource version too old');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
