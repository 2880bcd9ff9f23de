/**
 * The revisioned key-value store every Switchboard control plane sits on.
 *
 * Shaped like etcd v3: every write gets the next global revision, a key remembers the
 * revision that created it and the one that last modified it, and a watch delivers every
 * change after a given revision, in revision order, exactly once. The API server maps
 * `metadata.resourceVersion` to `modRevision`.
 *
 * Values are opaque strings (the API server stores JSON).
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision of the write that created this key (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to this key. */
  modRevision: number;
}

export interface ListOptions {
  /** At most this many items; 0 or undefined means all. */
  limit?: number;
  /** Continue strictly after this key (the last key of the previous page). */
  startAfter?: string;
  /**
   * Read the state as of this revision (must not be compacted away).
   * Undefined means the current revision.
   */
  revision?: number;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** True when more items follow the last one returned. */
  more: boolean;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  /** For put: the new value. For delete: the key with `modRevision` = the deletion's revision and the last value. */
  kv: KeyValue;
  /** The value before this event, when there was one. */
  prevKv?: KeyValue;
}

export interface WatchOptions {
  /** Deliver every event with revision > afterRevision. Throws Compacted if that history is gone. */
  afterRevision: number;
  /** Called with events in revision order; one call never splits a revision. */
  onEvents: (events: WatchEvent[]) => void;
  /** Called once if the watch ends because of an error (e.g. the connection to etcd broke). */
  onError?: (err: Error) => void;
  signal?: AbortSignal;
}

export interface Watch {
  stop(): void;
}

export interface Store {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, options?: ListOptions): Promise<ListResult>;
  /** Throws StorageError KeyExists when the key exists. */
  create(key: string, value: string): Promise<KeyValue>;
  /**
   * Replaces the value if the key's modRevision equals expectedRevision.
   * Throws KeyNotFound when absent, RevisionMismatch (with the current kv) otherwise.
   */
  update(key: string, value: string, expectedRevision: number): Promise<KeyValue>;
  /**
   * Deletes the key (if expectedRevision is given, only at that modRevision).
   * Returns the deleted kv, with modRevision set to the deletion's revision.
   * Throws KeyNotFound / RevisionMismatch.
   */
  delete(key: string, expectedRevision?: number): Promise<KeyValue>;
  /** Starts a watch on every key with this prefix. Rejects with Compacted when afterRevision is too old. */
  watch(prefix: string, options: WatchOptions): Promise<Watch>;
  /** Forgets history up to and including this revision (latest values are kept). */
  compact(revision: number): Promise<void>;
  /** The revision of the latest write. */
  currentRevision(): Promise<number>;
  /** The revision up to which history has been compacted (0 when none). */
  compactedRevision(): Promise<number>;
  close(): Promise<void>;
}

export type StorageErrorCode = 'KeyExists' | 'KeyNotFound' | 'RevisionMismatch' | 'Compacted' | 'Unavailable';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** For RevisionMismatch: the current kv; for Compacted: the compacted revision in `revision`. */
    readonly current?: KeyValue,
    readonly revision?: number,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export function isStorageError(err: unknown, code?: StorageErrorCode): err is StorageError {
  return err instanceof StorageError && (code === undefined || err.code === code);
}
