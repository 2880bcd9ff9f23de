/**
 * One timer for any number of pods: keys due at a time sit in a min-heap, and a single
 * timeout is armed for the earliest. 100,000 pods waiting on a start delay cost 100,000
 * heap entries, not 100,000 timers. A key is due at most once: scheduling it again earlier
 * moves it forward, later is ignored (the sync that runs then schedules again if needed).
 */

interface Entry {
  atMs: number;
  key: string;
}

export interface ScheduleOptions {
  nowMs: () => number;
  onDue: (key: string) => void;
}

export class Schedule {
  private readonly heap: Entry[] = [];
  private readonly atByKey = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs = Infinity;
  private stopped = false;

  constructor(private readonly options: ScheduleOptions) {}

  get size(): number {
    return this.atByKey.size;
  }

  at(key: string, atMs: number): void {
    if (this.stopped) return;
    const current = this.atByKey.get(key);
    if (current !== undefined && current <= atMs) return;
    this.atByKey.set(key, atMs);
    this.push({ atMs, key });
    this.arm();
  }

  cancel(key: string): void {
    // The heap entry stays and is skipped when it comes up.
    this.atByKey.delete(key);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Fires every key due by now and re-arms for the next. */
  private fire(): void {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const now = this.options.nowMs();
    for (let top = this.heap[0]; top && top.atMs <= now; top = this.heap[0]) {
      this.pop();
      if (this.atByKey.get(top.key) !== top.atMs) continue;
      this.atByKey.delete(top.key);
      this.options.onDue(top.key);
    }
    this.arm();
  }

  private arm(): void {
    const top = this.heap[0];
    if (this.stopped || !top || top.atMs >= this.timerAtMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAtMs = top.atMs;
    this.timer = setTimeout(() => this.fire(), Math.max(1, top.atMs - this.options.nowMs()));
    this.timer.unref();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((heap[parent] as Entry).atMs <= entry.atMs) break;
      heap[i] = heap[parent] as Entry;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && (heap[right] as Entry).atMs < (heap[left] as Entry).atMs ? right : left;
      if ((heap[child] as Entry).atMs >= last.atMs) break;
      heap[i] = heap[child] as Entry;
      i = child;
    }
    heap[i] = last;
  }
}
