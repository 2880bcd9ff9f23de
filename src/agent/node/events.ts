/**
 * The node agent's event recorder, aggregating as the kubelet's (client-go's) does: an event
 * identical to one recorded before (same involved object and field path, type, reason and
 * message) updates that Event's `count` and `lastTimestamp` instead of creating another, and
 * once an object has had many different messages for one reason within ten minutes, further
 * ones share one Event whose message says it combines them. Writes are bounded: the first
 * occurrence of an event is created at once, later ones are folded into at most one PATCH
 * per event every `minIntervalMs`. Best effort: nothing waits for a write, and failures go to
 * the debug log.
 */
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { eventsInfo, newEvent, type EventRecord } from '../../client/events.js';
import type { ApiClient } from '../../client/rest.js';
import { rfc3339, type Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/log.js';

export interface EventRecorderOptions {
  client: Pick<ApiClient, 'create' | 'patch'>;
  clock: Clock;
  log: Logger;
  /** The least time between two writes of one Event (default 5 s). */
  minIntervalMs?: number;
  /** How many events are remembered for aggregation (default 4096, as client-go). */
  maxEntries?: number;
}

/** Different messages for one object and reason within this window, before they are combined. */
const SIMILAR_MAX = 10;
const SIMILAR_WINDOW_MS = 600_000;
const COMBINED_PREFIX = '(combined from similar events): ';

interface Entry {
  event: KubeObject & { count: number; lastTimestamp: string; message: string; reason: string };
  /** Occurrences so far, and how many of them the API has. */
  count: number;
  written: number;
  isCreated: boolean;
  /** The write under way, if any. */
  writing?: Promise<void>;
  lastWriteMs: number;
  timer?: NodeJS.Timeout;
}

interface Similar {
  since: number;
  messages: Set<string>;
}

/** Deletes the oldest keys of a Map (insertion order) beyond `max`. */
function trim<V>(map: Map<string, V>, max: number, onDrop: (v: V) => void = () => undefined): void {
  for (const [key, value] of map) {
    if (map.size <= max) return;
    map.delete(key);
    onDrop(value);
  }
}

export class EventRecorder {
  private readonly entries = new Map<string, Entry>();
  private readonly similar = new Map<string, Similar>();
  private readonly minIntervalMs: number;
  private readonly maxEntries: number;
  private stopped = false;

  constructor(private readonly opts: EventRecorderOptions) {
    this.minIntervalMs = opts.minIntervalMs ?? 5000;
    this.maxEntries = opts.maxEntries ?? 4096;
  }

  /** Records one occurrence; returns at once. */
  record(e: EventRecord): void {
    if (this.stopped) return;
    const { uid, namespace, name } = e.object.metadata;
    const objectKey = [e.object.kind, namespace, name, uid, e.fieldPath ?? '', e.type, e.reason].join('\u0000');
    const isCombined = this.isCombined(objectKey, e.message);
    const message = isCombined ? `${COMBINED_PREFIX}${e.message}` : e.message;
    const key = `${objectKey}\u0000${isCombined ? COMBINED_PREFIX : e.message}`;
    const entry = this.entries.get(key);
    if (!entry) {
      const event = newEvent(this.opts.clock, { ...e, message }) as Entry['event'];
      const fresh: Entry = { event, count: 1, written: 0, isCreated: false, lastWriteMs: 0 };
      this.entries.set(key, fresh);
      trim(this.entries, this.maxEntries, (dropped) => clearTimeout(dropped.timer));
      this.schedule(fresh);
      return;
    }
    // Most recently used last, so that trimming drops the stalest.
    this.entries.delete(key);
    this.entries.set(key, entry);
    entry.count++;
    entry.event.lastTimestamp = rfc3339(this.opts.clock.now());
    entry.event.message = message;
    this.schedule(entry);
  }

  /** Writes every pending update now; resolves when no write is left. */
  async flush(): Promise<void> {
    for (;;) {
      const all = [...this.entries.values()];
      for (const x of all) {
        if (x.writing || x.count <= x.written) continue;
        clearTimeout(x.timer);
        x.timer = undefined;
        this.write(x);
      }
      const writes = all.flatMap((x) => (x.writing ? [x.writing] : []));
      if (writes.length === 0) return;
      await Promise.all(writes);
    }
  }

  /** Drops pending updates and records nothing more. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.entries.clear();
  }

  /** Whether the message goes into the combined Event: the object had too many different ones. */
  private isCombined(objectKey: string, message: string): boolean {
    const now = this.opts.clock.now().getTime();
    let similar = this.similar.get(objectKey);
    if (!similar || now - similar.since > SIMILAR_WINDOW_MS) {
      similar = { since: now, messages: new Set() };
    }
    this.similar.delete(objectKey);
    this.similar.set(objectKey, similar);
    trim(this.similar, this.maxEntries);
    if (similar.messages.has(message) || similar.messages.size < SIMILAR_MAX - 1) {
      similar.messages.add(message);
      return false;
    }
    return true;
  }

  private schedule(entry: Entry): void {
    if (entry.writing || entry.timer || this.stopped) return;
    const waitMs = entry.lastWriteMs + this.minIntervalMs - Date.now();
    if (waitMs <= 0 || entry.lastWriteMs === 0) return this.write(entry);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.write(entry);
    }, waitMs);
    entry.timer.unref();
  }

  private write(entry: Entry): void {
    if (this.stopped) return;
    entry.lastWriteMs = Date.now();
    const count = entry.count;
    entry.writing = this.send(entry, count).finally(() => {
      // A failed write is not retried: the next occurrence writes the count again.
      entry.written = count;
      entry.writing = undefined;
      if (entry.count > entry.written) this.schedule(entry);
    });
  }

  private async send(entry: Entry, count: number): Promise<void> {
    const event = { ...entry.event, count };
    const { namespace, name = '' } = event.metadata;
    const create = (): Promise<unknown> => this.opts.client.create(eventsInfo, namespace, event);
    const update = (): Promise<unknown> => this.opts.client.patch(eventsInfo, namespace, name, 'merge', { count, lastTimestamp: event.lastTimestamp, message: event.message });
    // Each may meet the other's case: the Event deleted meanwhile (create it again under its
    // name), or created by an attempt whose answer was lost (update it).
    const [first, fallback, reason] = entry.isCreated ? ([update, create, 'NotFound'] as const) : ([create, update, 'AlreadyExists'] as const);
    try {
      try {
        await first();
      } catch (err) {
        if (!isStatusError(err, reason)) throw err;
        await fallback();
      }
      entry.isCreated = true;
    } catch (err) {
      this.opts.log.debug({ event: name, reason: event.reason, err: err instanceof Error ? err.message : String(err) }, 'could not record an event');
    }
  }
}
