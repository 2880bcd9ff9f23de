/**
 * The in-process store: every key's versions (for reads at a past revision), a global event
 * log (for watches), both trimmed by compaction. Used by tests and by single-process setups
 * that need no durability; it passes the same contract suite as SQLite and etcd.
 */
import { compareKeys, hasPrefix } from '../keys.js';
import {
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type Watch,
  type WatchEvent,
  type WatchOptions,
} from '../types.js';
import { WatchHub, eventRevision } from '../watch-hub.js';
import {
  checkReadRevision,
  closedError,
  compactTarget,
  compactedError,
  keyExists,
  listLimit,
  missingKey,
  revisionMismatch,
} from '../checks.js';

/** One write to a key. A deletion keeps the last value, with the deletion's revision. */
interface Version {
  kv: KeyValue;
  isDeleted: boolean;
}

export class MemoryStore implements Store {
  private revision = 0;
  private compacted = 0;
  private isClosed = false;
  private readonly versionsByKey = new Map<string, Version[]>();
  /** Every key in versionsByKey, sorted, so prefix lists are range scans. */
  private readonly sortedKeys: string[] = [];
  /** Events with revision > compacted, in revision order (one event per revision). */
  private log: WatchEvent[] = [];
  private readonly hub = new WatchHub();

  async get(key: string): Promise<KeyValue | undefined> {
    this.checkOpen();
    return this.latest(key);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    this.checkOpen();
    const revision = options.revision ?? this.revision;
    checkReadRevision({ revision, current: this.revision, compacted: this.compacted });
    const limit = listLimit(options.limit);
    const items: KeyValue[] = [];
    let index = this.firstKeyIndex(prefix, options.startAfter);
    for (; index < this.sortedKeys.length; index++) {
      const key = this.sortedKeys[index] as string;
      if (!hasPrefix(key, prefix)) break;
      const kv = this.valueAt(key, revision);
      if (kv === undefined) continue;
      if (items.length === limit) return { items, revision, more: true };
      items.push(kv);
    }
    return { items, revision, more: false };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    this.checkOpen();
    if (this.latest(key) !== undefined) throw keyExists(key);
    const revision = this.revision + 1;
    const kv: KeyValue = { key, value, createRevision: revision, modRevision: revision };
    this.commit({ kv, isDeleted: false }, { type: 'put', kv });
    return kv;
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    this.checkOpen();
    const current = this.latest(key);
    if (current === undefined) throw missingKey(key);
    if (current.modRevision !== expectedRevision) throw revisionMismatch(current, expectedRevision);
    const kv: KeyValue = { key, value, createRevision: current.createRevision, modRevision: this.revision + 1 };
    this.commit({ kv, isDeleted: false }, { type: 'put', kv, prevKv: current });
    return kv;
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    this.checkOpen();
    const current = this.latest(key);
    if (current === undefined) throw missingKey(key);
    if (expectedRevision !== undefined && current.modRevision !== expectedRevision) {
      throw revisionMismatch(current, expectedRevision);
    }
    const kv: KeyValue = { ...current, modRevision: this.revision + 1 };
    this.commit({ kv, isDeleted: true }, { type: 'delete', kv, prevKv: current });
    return kv;
  }

  async watch(prefix: string, options: WatchOptions): Promise<Watch> {
    this.checkOpen();
    if (options.afterRevision < this.compacted) throw compactedError(options.afterRevision, this.compacted);
    return this.hub.add(prefix, options, this.eventsAfter(options.afterRevision));
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (!compactTarget({ revision, current: this.revision, compacted: this.compacted })) return;
    for (const [key, versions] of this.versionsByKey) {
      const kept = keepAfterCompaction(versions, revision);
      if (kept.length > 0) this.versionsByKey.set(key, kept);
      else this.forgetKey(key);
    }
    this.log = this.eventsAfter(revision);
    this.compacted = revision;
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  async compactedRevision(): Promise<number> {
    this.checkOpen();
    return this.compacted;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    this.hub.closeAll();
  }

  private commit(version: Version, event: WatchEvent): void {
    const key = version.kv.key;
    const versions = this.versionsByKey.get(key);
    if (versions === undefined) {
      this.versionsByKey.set(key, [version]);
      this.sortedKeys.splice(this.lowerBound(key), 0, key);
    } else {
      versions.push(version);
    }
    this.revision = version.kv.modRevision;
    this.log.push(event);
    this.hub.publish([event]);
  }

  private latest(key: string): KeyValue | undefined {
    const last = this.versionsByKey.get(key)?.at(-1);
    return last === undefined || last.isDeleted ? undefined : last.kv;
  }

  private valueAt(key: string, revision: number): KeyValue | undefined {
    const versions = this.versionsByKey.get(key) ?? [];
    for (let i = versions.length - 1; i >= 0; i--) {
      const version = versions[i] as Version;
      if (version.kv.modRevision <= revision) return version.isDeleted ? undefined : version.kv;
    }
    return undefined;
  }

  private eventsAfter(revision: number): WatchEvent[] {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (eventRevision(this.log[mid] as WatchEvent) <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.log.slice(lo);
  }

  private firstKeyIndex(prefix: string, startAfter: string | undefined): number {
    if (startAfter === undefined || compareKeys(startAfter, prefix) < 0) return this.lowerBound(prefix);
    const index = this.lowerBound(startAfter);
    return this.sortedKeys[index] === startAfter ? index + 1 : index;
  }

  /** Index of the first key >= key. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.sortedKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareKeys(this.sortedKeys[mid] as string, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private forgetKey(key: string): void {
    this.versionsByKey.delete(key);
    const index = this.lowerBound(key);
    if (this.sortedKeys[index] === key) this.sortedKeys.splice(index, 1);
  }

  private checkOpen(): void {
    if (this.isClosed) throw closedError();
  }
}

/**
 * The versions a key still needs after compacting at `revision`: the one in force at
 * `revision` (unless it is a deletion) and everything after it.
 */
function keepAfterCompaction(versions: Version[], revision: number): Version[] {
  let inForce = -1;
  for (let i = 0; i < versions.length; i++) {
    if ((versions[i] as Version).kv.modRevision <= revision) inForce = i;
  }
  if (inForce < 0) return versions;
  const start = (versions[inForce] as Version).isDeleted ? inForce + 1 : inForce;
  return versions.slice(start);
}
