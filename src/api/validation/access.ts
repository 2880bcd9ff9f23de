/**
 * Narrowing helpers for objects that arrive as JSON. Validation and defaulting read
 * through these so a wrong type is treated as absent rather than crashing.
 */
import { isRecord } from '../types.js';

export type Obj = Record<string, unknown>;

export function rec(value: unknown): Obj | undefined {
  return isRecord(value) ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The records of an array, each with its index (non-records are skipped). */
export function records(value: unknown): Array<[number, Obj]> {
  const out: Array<[number, Obj]> = [];
  list(value).forEach((item, i) => {
    if (isRecord(item)) out.push([i, item]);
  });
  return out;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function strMap(value: unknown): Record<string, string> | undefined {
  if (!isRecord(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Returns obj[key] as a record, creating an empty one when it is missing (for defaulting). */
export function ensure(obj: Obj, key: string): Obj {
  const existing = obj[key];
  if (isRecord(existing)) return existing;
  const created: Obj = {};
  obj[key] = created;
  return created;
}

export function setIfAbsent(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Structural equality for JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}
