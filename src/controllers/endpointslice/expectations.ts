/**
 * Remembers the slice writes a controller made until its informer has seen them. Without
 * this, a sync running on a cache that lags behind our own create would create the slice
 * again (upstream's EndpointSliceTracker plays this role). A sync of a Service whose
 * expectations are unmet fails and is retried shortly.
 */
import type { Clock } from '../../lib/clock.js';
import type { EndpointSlice } from './types.js';

interface Expectation {
  /** The resourceVersion we wrote; undefined for a deletion. */
  resourceVersion?: string;
  at: number;
}

interface SliceCache {
  get(key: string): EndpointSlice | undefined;
}

/** True if `have` is `want` or later. Our stores use increasing integer versions. */
export function isAtLeast(have: string | undefined, want: string): boolean {
  if (have === undefined) return false;
  if (have === want) return true;
  if (/^\d+$/.test(have) && /^\d+$/.test(want)) return BigInt(have) >= BigInt(want);
  return false;
}

export class SliceExpectations {
  private readonly pending = new Map<string, Map<string, Expectation>>();

  constructor(
    private readonly cache: SliceCache,
    private readonly clock: Clock,
    /** After this long an expectation is dropped (its event may have been coalesced away). */
    private readonly ttlMs = 10_000,
  ) {}

  private met(sliceKey: string, e: Expectation): boolean {
    const cached = this.cache.get(sliceKey);
    if (e.resourceVersion === undefined) return cached === undefined;
    return isAtLeast(cached?.metadata.resourceVersion, e.resourceVersion);
  }

  private record(ownerKey: string, sliceKey: string, e: Expectation): void {
    if (this.met(sliceKey, e)) return;
    let forOwner = this.pending.get(ownerKey);
    if (!forOwner) {
      forOwner = new Map();
      this.pending.set(ownerKey, forOwner);
    }
    forOwner.set(sliceKey, e);
  }

  written(ownerKey: string, slice: EndpointSlice): void {
    const key = `${slice.metadata.namespace ?? ''}/${slice.metadata.name ?? ''}`;
    this.record(ownerKey, key, { resourceVersion: slice.metadata.resourceVersion ?? '', at: this.clock.now().getTime() });
  }

  deleted(ownerKey: string, sliceKey: string): void {
    this.record(ownerKey, sliceKey, { at: this.clock.now().getTime() });
  }

  /** The informer saw a slice deleted: nothing about it can be awaited any more. */
  observeDeleted(ownerKey: string, sliceKey: string): void {
    this.pending.get(ownerKey)?.delete(sliceKey);
  }

  /** Whether the cache reflects every write made for `ownerKey`. */
  isSynced(ownerKey: string): boolean {
    const forOwner = this.pending.get(ownerKey);
    if (!forOwner) return true;
    const now = this.clock.now().getTime();
    for (const [key, e] of forOwner) if (this.met(key, e) || now - e.at > this.ttlMs) forOwner.delete(key);
    if (forOwner.size === 0) this.pending.delete(ownerKey);
    return forOwner.size === 0;
  }

  forget(ownerKey: string): void {
    this.pending.delete(ownerKey);
  }
}
