/**
 * The distributed store: etcd v3 through the `etcd3` package's raw gRPC clients. Store keys
 * map 1:1 to etcd keys (after an optional extra prefix) and revisions are etcd's own, so
 * `resourceVersion` means the same thing it does in Kubernetes.
 *
 * Every conditional write is one etcd transaction comparing createRevision/modRevision, so
 * optimistic concurrency is decided by etcd. The library retries calls that failed on the
 * connection; a retried write either applies once or fails its compare, never applies twice.
 */
import { CompareResult, CompareTarget, Etcd3, type ICompare, type IRangeRequest, type IRangeResponse } from 'etcd3';
import {
  FutureRevisionError,
  compactTarget,
  compactedError,
  keyExists,
  listLimit,
  missingKey,
  revisionMismatch,
} from '../checks.js';
import type { KeyValue, ListOptions, ListResult, Store, Watch, WatchOptions } from '../types.js';
import { KeySpace, isCompactedMessage, isFutureMessage, toUnavailable } from './convert.js';
import { startWatch } from './watch.js';

export interface EtcdStoreOptions {
  endpoints: string[];
  /** Prepended to every key in etcd, for sharing one etcd between clusters (default none). */
  prefix?: string;
}

/** Any key works for a header-only read; this one sorts first and is never a store key. */
const probeKey = Buffer.from([0]);

export class EtcdStore implements Store {
  private readonly client: Etcd3;
  private readonly keys: KeySpace;
  /** A lower bound on etcd's compacted revision (compaction never goes back). */
  private knownCompacted = 0;

  constructor(options: EtcdStoreOptions) {
    this.client = new Etcd3({ hosts: options.endpoints });
    this.keys = new KeySpace(options.prefix ?? '');
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const response = await this.range({ key: this.keys.toEtcd(key) });
    const kv = response.kvs[0];
    return kv === undefined ? undefined : this.keys.toKeyValue(kv);
  }

  async list(prefix: string, options: ListOptions = {}): Promise<ListResult> {
    const start = this.keys.toEtcd(prefix);
    const after = options.startAfter === undefined ? undefined : this.keys.toEtcd(`${options.startAfter}\0`);
    const limit = listLimit(options.limit);
    const response = await this.range({
      key: after !== undefined && Buffer.compare(after, start) > 0 ? after : start,
      range_end: this.keys.rangeEnd(prefix),
      limit: Number.isFinite(limit) ? limit : 0,
      revision: options.revision ?? 0,
    });
    return {
      items: response.kvs.map((kv) => this.keys.toKeyValue(kv)),
      revision: options.revision ?? Number(response.header.revision),
      more: response.more,
    };
  }

  async create(key: string, value: string): Promise<KeyValue> {
    const etcdKey = this.keys.toEtcd(key);
    const response = await this.call(() =>
      this.client.kv.txn({
        compare: [{ key: etcdKey, target: CompareTarget.Create, result: CompareResult.Equal, create_revision: 0 }],
        success: [{ request_put: { key: etcdKey, value: Buffer.from(value) } }],
      }),
    );
    if (!response.succeeded) throw keyExists(key);
    const revision = Number(response.header.revision);
    return { key, value, createRevision: revision, modRevision: revision };
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    const etcdKey = this.keys.toEtcd(key);
    const response = await this.call(() =>
      this.client.kv.txn({
        compare: [exists(etcdKey), modifiedAt(etcdKey, expectedRevision)],
        success: [{ request_put: { key: etcdKey, value: Buffer.from(value), prev_kv: true } }],
        failure: [{ request_range: { key: etcdKey } }],
      }),
    );
    if (!response.succeeded) throw this.writeConflict(key, response.responses[0]?.response_range, expectedRevision);
    const previous = response.responses[0]?.response_put.prev_kv;
    const createRevision = Number(previous?.create_revision ?? response.header.revision);
    return { key, value, createRevision, modRevision: Number(response.header.revision) };
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    const etcdKey = this.keys.toEtcd(key);
    const compare = [exists(etcdKey)];
    if (expectedRevision !== undefined) compare.push(modifiedAt(etcdKey, expectedRevision));
    const response = await this.call(() =>
      this.client.kv.txn({
        compare,
        success: [{ request_delete_range: { key: etcdKey, prev_kv: true } }],
        failure: [{ request_range: { key: etcdKey } }],
      }),
    );
    if (!response.succeeded) throw this.writeConflict(key, response.responses[0]?.response_range, expectedRevision);
    const previous = response.responses[0]?.response_delete_range.prev_kvs[0];
    if (previous === undefined) throw missingKey(key);
    return { ...this.keys.toKeyValue(previous), modRevision: Number(response.header.revision) };
  }

  async watch(prefix: string, options: WatchOptions): Promise<Watch> {
    // etcd would accept a start one below its compacted revision; the store's contract is
    // stricter (history up to and including the compacted revision is gone), so check first
    // with a read at afterRevision. etcd's first revision (1) holds no writes.
    await this.checkNotCompacted(Math.max(options.afterRevision, 1));
    return startWatch({ watchClient: this.client.watchClient, keys: this.keys, prefix, options });
  }

  async compact(revision: number): Promise<void> {
    const current = await this.currentRevision();
    if (!compactTarget({ revision, current, compacted: this.knownCompacted })) return;
    try {
      await this.client.kv.compact({ revision, physical: true });
    } catch (err) {
      // Someone compacted at or past this revision already: nothing left to do.
      if (!isCompactedMessage(err)) throw toUnavailable(err);
    }
    this.knownCompacted = Math.max(this.knownCompacted, revision);
  }

  async currentRevision(): Promise<number> {
    const response = await this.range({ key: probeKey, count_only: true });
    return Number(response.header.revision);
  }

  /**
   * etcd does not report its compacted revision, but refuses reads below it: find the
   * lowest readable revision by bisection (a few dozen header-only reads at most).
   */
  async compactedRevision(): Promise<number> {
    if (await this.isReadable(Math.max(this.knownCompacted, 1))) {
      if (this.knownCompacted <= 1 || !(await this.isReadable(this.knownCompacted - 1))) {
        return this.knownCompacted;
      }
    }
    let unreadable = 0;
    let readable = await this.currentRevision();
    while (readable - unreadable > 1) {
      const middle = Math.floor((unreadable + readable) / 2);
      if (await this.isReadable(middle)) readable = middle;
      else unreadable = middle;
    }
    this.knownCompacted = readable === 1 ? 0 : readable;
    return this.knownCompacted;
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private async isReadable(revision: number): Promise<boolean> {
    if (revision < 1) return false;
    try {
      await this.client.kv.range({ key: probeKey, count_only: true, revision });
      return true;
    } catch (err) {
      if (isCompactedMessage(err)) return false;
      throw toUnavailable(err);
    }
  }

  private async checkNotCompacted(revision: number): Promise<void> {
    try {
      await this.client.kv.range({ key: probeKey, count_only: true, revision });
    } catch (err) {
      if (isCompactedMessage(err)) throw compactedError(revision, await this.compactedRevision());
      // A watch from a future revision is allowed: it waits for that revision.
      if (!isFutureMessage(err)) throw toUnavailable(err);
    }
  }

  private async range(request: IRangeRequest): Promise<IRangeResponse> {
    try {
      return await this.client.kv.range(request);
    } catch (err) {
      const revision = Number(request.revision ?? 0);
      if (isCompactedMessage(err)) throw compactedError(revision, await this.compactedRevision());
      if (isFutureMessage(err)) throw new FutureRevisionError(revision, await this.currentRevision());
      throw toUnavailable(err);
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toUnavailable(err);
    }
  }

  private writeConflict(key: string, current: IRangeResponse | undefined, expectedRevision?: number): Error {
    const kv = current?.kvs[0];
    if (kv === undefined) return missingKey(key);
    return revisionMismatch(this.keys.toKeyValue(kv), expectedRevision ?? 0);
  }
}

function exists(key: Buffer): ICompare {
  return { key, target: CompareTarget.Version, result: CompareResult.Greater, version: 0 };
}

function modifiedAt(key: Buffer, revision: number): ICompare {
  return { key, target: CompareTarget.Mod, result: CompareResult.Equal, mod_revision: revision };
}
