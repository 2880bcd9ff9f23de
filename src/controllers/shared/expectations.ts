/**
 * Controller expectations (upstream ControllerExpectations): after creating pods with
 * generateName, a controller must not act on a cache that has not shown them yet, or it would
 * create them twice. A key's expectations are satisfied once every create and delete it made
 * has been observed through the informer, or after a timeout (a lost event must not wedge it).
 */
import type { Clock } from '../../lib/clock.js';

interface Pending {
  adds: number;
  deletes: Set<string>;
  since: number;
}

export class Expectations {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 5 * 60_000,
  ) {}

  private entry(key: string): Pending {
    let e = this.pending.get(key);
    if (!e) {
      e = { adds: 0, deletes: new Set(), since: this.clock.now().getTime() };
      this.pending.set(key, e);
    }
    return e;
  }

  expectCreations(key: string, count: number): void {
    if (count <= 0) return;
    const e = this.entry(key);
    e.adds += count;
    e.since = this.clock.now().getTime();
  }

  /** A create was seen in the cache, or failed (so it will never be seen). */
  creationObserved(key: string): void {
    const e = this.pending.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  expectDeletions(key: string, uids: readonly string[]): void {
    if (uids.length === 0) return;
    const e = this.entry(key);
    for (const uid of uids) e.deletes.add(uid);
    e.since = this.clock.now().getTime();
  }

  /** A pod went, started terminating, or its delete failed. */
  deletionObserved(key: string, uid: string | undefined): void {
    if (uid) this.pending.get(key)?.deletes.delete(uid);
  }

  satisfied(key: string): boolean {
    const e = this.pending.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.deletes.size === 0) || this.clock.now().getTime() - e.since > this.timeoutMs) {
      this.pending.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.pending.delete(key);
  }
}
