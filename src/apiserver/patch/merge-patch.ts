/**
 * RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge key by key,
 * `null` deletes, anything else (arrays included) replaces. Used by `kubectl scale`, by
 * `kubectl apply` for kinds without strategic metadata, and by conformance tests.
 */
import { deepClone, isRecord } from './json.js';

/** Returns the patched value; neither argument is changed. */
export function applyMergePatch(obj: unknown, patch: unknown): unknown {
  return mergeInto(deepClone(obj), patch);
}

/** Merges `patch` into `target`, which the caller owns and may be changed in place. */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return deepClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergeInto(result[key], value);
  }
  return result;
}
