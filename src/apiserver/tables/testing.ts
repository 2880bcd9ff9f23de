/** Shared pieces of the table tests: a fixed clock and rows read by column name. */
import type { KubeObject } from '../../api/types.js';
import { tableColumns, tableRow } from './table.js';

export const now = new Date('2024-05-01T12:00:00Z');

/** An RFC 3339 timestamp `seconds` before `now`. */
export function ago(seconds: number): string {
  return new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The row of `obj` as `{ column name: cell }`, every column (wide ones included). */
export function rowByColumn(group: string, resource: string, obj: KubeObject): Record<string, unknown> {
  const columns = tableColumns(group, resource);
  const cells = tableRow(group, resource, obj, now);
  if (cells.length !== columns.length) throw new Error(`${resource}: ${cells.length} cells for ${columns.length} columns`);
  return Object.fromEntries(columns.map((c, i) => [c.name, cells[i]]));
}
