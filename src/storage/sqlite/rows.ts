/** Row shapes of the `log` table and their conversion to the store's types. */
import type { KeyValue, WatchEvent } from '../types.js';

export interface LogRow {
  id: number;
  key: string;
  create_revision: number;
  value: string;
}

/** A log row joined with the row it superseded (`prev_revision`), for watch events. */
export interface EventRow extends LogRow {
  deleted: number;
  prev_revision: number;
  prev_value: string | null;
  prev_create_revision: number | null;
  prev_deleted: number | null;
}

export function toKeyValue(row: LogRow): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.create_revision, modRevision: row.id };
}

export function toWatchEvent(row: EventRow): WatchEvent {
  const event: WatchEvent = { type: row.deleted ? 'delete' : 'put', kv: toKeyValue(row) };
  if (row.prev_value !== null && row.prev_create_revision !== null && row.prev_deleted === 0) {
    event.prevKv = {
      key: row.key,
      value: row.prev_value,
      createRevision: row.prev_create_revision,
      modRevision: row.prev_revision,
    };
  }
  return event;
}

export interface RangeQuery {
  start: string;
  end?: string;
  after?: string;
}

/** The WHERE terms for a key range; only the bounds present appear, so indexes stay usable. */
export function keyRangeSql(column: string, range: RangeQuery): string {
  const terms = [`${column} >= @start`];
  if (range.end !== undefined) terms.push(`${column} < @end`);
  if (range.after !== undefined) terms.push(`${column} > @after`);
  return terms.join(' AND ');
}
