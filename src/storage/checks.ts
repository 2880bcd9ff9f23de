/**
 * The preconditions and errors every store shares, so the three report the same failures
 * the same way (the contract suite asserts on codes, not messages).
 */
import { StorageError, type KeyValue } from './types.js';

/** A read or compaction at a revision that has not been written yet. */
export class FutureRevisionError extends Error {
  constructor(
    readonly revision: number,
    readonly current: number,
  ) {
    super(`required revision ${revision} is a future revision (current revision ${current})`);
    this.name = 'FutureRevisionError';
  }
}

export function isFutureRevisionError(err: unknown): err is FutureRevisionError {
  return err instanceof FutureRevisionError;
}

export function keyExists(key: string): StorageError {
  return new StorageError('KeyExists', `key ${key} already exists`);
}

export function missingKey(key: string): StorageError {
  return new StorageError('KeyNotFound', `key ${key} not found`);
}

export function revisionMismatch(current: KeyValue, expectedRevision: number): StorageError {
  return new StorageError(
    'RevisionMismatch',
    `key ${current.key} is at revision ${current.modRevision}, not ${expectedRevision}`,
    current,
  );
}

export function compactedError(requested: number, compacted: number): StorageError {
  return new StorageError(
    'Compacted',
    `required revision ${requested} has been compacted (compacted revision ${compacted})`,
    undefined,
    compacted,
  );
}

export function closedError(): StorageError {
  return new StorageError('Unavailable', 'store closed');
}

interface RevisionWindow {
  revision: number;
  current: number;
  compacted: number;
}

/** A list at `revision` needs the state at that revision: compacted history is gone. */
export function checkReadRevision({ revision, current, compacted }: RevisionWindow): void {
  if (revision < compacted) throw compactedError(revision, compacted);
  if (revision > current) throw new FutureRevisionError(revision, current);
}

/**
 * Whether compacting at `revision` has anything to do. Compacting at or below the compacted
 * revision is a no-op (compaction is idempotent and never goes back); past the current
 * revision is an error.
 */
export function compactTarget({ revision, current, compacted }: RevisionWindow): boolean {
  if (revision > current) throw new FutureRevisionError(revision, current);
  return revision > compacted;
}

/** 0 and undefined mean "no limit". */
export function listLimit(limit: number | undefined): number {
  return limit === undefined || limit <= 0 ? Number.POSITIVE_INFINITY : limit;
}
