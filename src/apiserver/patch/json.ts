/** Small helpers over plain JSON values. */
import { isRecord } from '../../api/types.js';

export { isRecord };

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

export type ValueKind = 'map' | 'list' | 'scalar';

export function kindOf(value: unknown): ValueKind {
  if (Array.isArray(value)) return 'list';
  if (isRecord(value)) return 'map';
  return 'scalar';
}
