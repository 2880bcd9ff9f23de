/**
 * The watch cache: one store watch over every object key feeds an in-memory copy of all
 * objects (indexed by resource) and a bounded history of recent events. Lists without a
 * limit and all watches are served from here, so the store sees writes and paged reads only.
 *
 * Invariants: `revision` is the revision of the last store event applied; history holds
 * events in revision order; a watcher gets every event after its start revision exactly once.
 */
import type { KubeObject } from '../api/types.js';
import { isStorageError, type Store, type Watch, type WatchEvent } from '../storage/types.js';
import type { Logger } from '../lib/log.js';
import { decodeDeleted, decodeObject } from './codec.js';
import { pluralOfKey } from './keys.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: EventType;
  plural: string;
  key: string;
  object: KubeObject;
  /** The object before this event (MODIFIED and DELETED). */
  prevObject?: KubeObject;
  revision: number;
}

export type CacheListener = (events: CacheEvent[]) => void;

export interface Subscription {
  stop(): void;
}

export class ResourceVersionTooOld extends Error {
  constructor(readonly requested: number, readonly oldest: number) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

const pageSize = 5000;
/**
 * Every key, not just objects: allocation records advance the store's revision too, and a
 * consistent read waits for the cache to reach the store's current revision.
 */
const watchedPrefix = '/';

export class WatchCache {
  private readonly objectsByPlural = new Map<string, Map<string, KubeObject>>();
  private readonly history: CacheEvent[] = [];
  private historyStart = 0;
  private readonly listeners = new Set<CacheListener>();
  private waiters: { revision: number; resolve: () => void }[] = [];
  private storeWatch: Watch | undefined;
  private stopped = false;
  /** History before this revision is gone; a watch from older than this gets 410. */
  private oldestRevision = 0;
  revision = 0;

  private constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly historyLimit: number,
    private readonly replayRevisions: number,
  ) {}

  static async start(store: Store, log: Logger, options: { historyLimit?: number; replayRevisions?: number } = {}): Promise<WatchCache> {
    const cache = new WatchCache(store, log, options.historyLimit ?? 100_000, options.replayRevisions ?? 10_000);
    await cache.relist();
    return cache;
  }

  /**
   * Loads the state as of a recent past revision and replays the store's history from
   * there, so watchers can resume from versions older than this process (after a restart).
   */
  private async relist(): Promise<void> {
    const current = await this.store.currentRevision();
    const compacted = await this.store.compactedRevision();
    const from = Math.max(compacted, current - this.replayRevisions, 0);
    try {
      if (from === 0) this.startEmpty();
      else await this.loadAt(from);
    } catch (err) {
      if (!isStorageError(err, 'Compacted')) throw err;
      await this.loadAt(undefined);
    }
    this.oldestRevision = this.revision;
    this.history.length = 0;
    this.historyStart = 0;
    await this.watchStore();
  }

  /** The state before the first revision: nothing, so the whole history replays. */
  private startEmpty(): void {
    this.objectsByPlural.clear();
    this.revision = 0;
  }

  private async loadAt(at: number | undefined): Promise<void> {
    this.objectsByPlural.clear();
    let startAfter: string | undefined;
    let revision = at;
    for (;;) {
      const page = await this.store.list(watchedPrefix, { limit: pageSize, startAfter, revision });
      revision = page.revision;
      for (const kv of page.items) {
        const plural = pluralOfKey(kv.key);
        if (plural) this.objectsOf(plural).set(kv.key, decodeObject(kv));
      }
      const last = page.items.at(-1);
      if (!page.more || !last) break;
      startAfter = last.key;
    }
    this.revision = revision ?? 0;
  }

  private async watchStore(): Promise<void> {
    this.storeWatch = await this.store.watch(watchedPrefix, {
      afterRevision: this.revision,
      onEvents: (events) => this.apply(events),
      onError: (err) => this.recover(err),
    });
  }

  /** Restarts the store watch after a failure; relists when history is gone. */
  private recover(err: Error): void {
    if (this.stopped) return;
    this.log.warn({ err: err.message, revision: this.revision }, 'store watch ended; restarting');
    const restart = async (): Promise<void> => {
      try {
        await this.watchStore();
      } catch (e) {
        if (isStorageError(e, 'Compacted')) {
          this.dropAllListeners();
          await this.relist();
        } else throw e;
      }
    };
    setTimeout(() => {
      restart().catch((e: unknown) => this.recover(e instanceof Error ? e : new Error(String(e))));
    }, 200).unref();
  }

  private dropAllListeners(): void {
    // Watchers cannot be told what they missed: end them so clients relist.
    for (const listener of this.listeners) listener([]);
    this.listeners.clear();
  }

  private objectsOf(plural: string): Map<string, KubeObject> {
    let objects = this.objectsByPlural.get(plural);
    if (!objects) {
      objects = new Map();
      this.objectsByPlural.set(plural, objects);
    }
    return objects;
  }

  private apply(storeEvents: WatchEvent[]): void {
    const events: CacheEvent[] = [];
    for (const e of storeEvents) {
      const plural = pluralOfKey(e.kv.key);
      this.revision = Math.max(this.revision, e.kv.modRevision);
      if (!plural) continue;
      const objects = this.objectsOf(plural);
      const prevObject = objects.get(e.kv.key);
      if (e.type === 'delete') {
        objects.delete(e.kv.key);
        const object = decodeDeleted(e.kv, e.prevKv);
        events.push({ type: 'DELETED', plural, key: e.kv.key, object, prevObject: prevObject ?? object, revision: e.kv.modRevision });
      } else {
        const object = decodeObject(e.kv);
        objects.set(e.kv.key, object);
        const type = prevObject ? 'MODIFIED' : 'ADDED';
        events.push({ type, plural, key: e.kv.key, object, prevObject, revision: e.kv.modRevision });
      }
    }
    if (events.length > 0) {
      this.remember(events);
      // An empty batch tells a listener it was ended, so batches without objects are not sent.
      for (const listener of this.listeners) listener(events);
    }
    this.wakeWaiters();
  }

  private remember(events: CacheEvent[]): void {
    this.history.push(...events);
    const excess = this.history.length - this.historyStart - this.historyLimit;
    if (excess > 0) {
      this.historyStart += excess;
      const dropped = this.history[this.historyStart - 1];
      if (dropped) this.oldestRevision = dropped.revision;
    }
    if (this.historyStart > this.historyLimit) {
      this.history.splice(0, this.historyStart);
      this.historyStart = 0;
    }
  }

  private wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.revision <= this.revision);
    this.waiters = this.waiters.filter((w) => w.revision > this.revision);
    for (const w of ready) w.resolve();
  }

  /** Resolves once the cache has applied every event up to `revision` (false on timeout). */
  waitFor(revision: number, timeoutMs = 3000): Promise<boolean> {
    if (revision <= this.revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push({
        revision,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
      });
    });
  }

  /** Every object of a resource (optionally one namespace), sorted by key. */
  list(plural: string, keyPrefix?: string): KubeObject[] {
    const objects = this.objectsByPlural.get(plural);
    if (!objects) return [];
    const keys = [...objects.keys()].filter((k) => !keyPrefix || k.startsWith(keyPrefix)).sort();
    return keys.map((k) => objects.get(k) as KubeObject);
  }

  get(plural: string, key: string): KubeObject | undefined {
    return this.objectsByPlural.get(plural)?.get(key);
  }

  count(plural: string): number {
    return this.objectsByPlural.get(plural)?.size ?? 0;
  }

  /**
   * Delivers every event after `afterRevision`: first the remembered ones, then live ones.
   * Throws ResourceVersionTooOld when that history is gone. An empty batch means the
   * subscription was ended by the cache (the watcher must close).
   */
  subscribe(afterRevision: number, listener: CacheListener): Subscription {
    if (afterRevision < this.oldestRevision) throw new ResourceVersionTooOld(afterRevision, this.oldestRevision + 1);
    const backlog = this.eventsAfter(afterRevision);
    if (backlog.length > 0) listener(backlog);
    this.listeners.add(listener);
    return { stop: () => this.listeners.delete(listener) };
  }

  private eventsAfter(revision: number): CacheEvent[] {
    // History is sorted by revision: binary search the first event after `revision`.
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.history[mid] as CacheEvent).revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  stop(): void {
    this.stopped = true;
    this.storeWatch?.stop();
    this.dropAllListeners();
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
