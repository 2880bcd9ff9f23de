/**
 * Expectations (upstream ControllerExpectations): after a sync creates or deletes pods, the
 * informer has not seen them yet, so a second sync would count the old pods and act twice.
 * Each owner key records the creations and deletions in flight; syncs do not manage pods for
 * that key until all are observed, or until the record is older than the timeout (an event
 * was lost, or the write never happened).
 */
import type { Clock } from '../../lib/clock.js';

interface Record_ {
  adds: number;
  /** Keys of the pods whose deletion is awaited: a deletion is observed once per pod. */
  deletes: Set<string>;
  setAt: number;
}

export class Expectations {
  private readonly records = new Map<string, Record_>();

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 5000,
  ) {}

  /** True when the key may be managed: nothing is awaited, or the wait timed out. */
  satisfied(key: string): boolean {
    const r = this.records.get(key);
    if (!r) return true;
    if (r.adds <= 0 && r.deletes.size === 0) return true;
    return this.clock.now().getTime() - r.setAt > this.timeoutMs;
  }

  /** Time left before an unsatisfied record times out (0 when satisfied). */
  msUntilTimeout(key: string): number {
    const r = this.records.get(key);
    if (!r || this.satisfied(key)) return 0;
    return Math.max(0, r.setAt + this.timeoutMs - this.clock.now().getTime());
  }

  /** Replaces the key's record before a sync writes. */
  expect(key: string, args: { adds: number; deletes: readonly string[] }): void {
    this.records.set(key, { adds: args.adds, deletes: new Set(args.deletes), setAt: this.clock.now().getTime() });
  }

  creationObserved(key: string): void {
    const r = this.records.get(key);
    if (r) r.adds--;
  }

  /** A creation that was expected but failed or was skipped will never be observed. */
  lowerCreations(key: string, count: number): void {
    const r = this.records.get(key);
    if (r) r.adds -= count;
  }

  deletionObserved(key: string, podKey: string): void {
    this.records.get(key)?.deletes.delete(podKey);
  }

  forget(key: string): void {
    this.records.delete(key);
  }
}
