/**
 * How server-side apply sees a field, derived from the PatchMetaLookup the way
 * structured-merge-diff derives it from OpenAPI: `x-kubernetes-list-type` first; otherwise a
 * `merge` patch strategy makes a list associative (keyed by the merge key) or a set (no
 * key); every other list is atomic. Maps are granular unless declared atomic.
 */
import { isRecord } from './json.js';
import type { PatchMeta, PatchMetaLookup } from './types.js';

export type ListShape = { kind: 'map'; keys: string[]; defaults: Record<string, unknown> } | { kind: 'set' } | { kind: 'atomic' };

/** Kubernetes defaults every list-map key named `protocol` to TCP (ports of Services and containers). */
const conventionalKeyDefaults: Record<string, unknown> = { protocol: 'TCP' };

export function listShape(meta: PatchMeta | undefined): ListShape {
  const strategies = (meta?.strategy ?? '').split(',');
  const listType = meta?.listType ?? (strategies.includes('merge') ? (meta?.mergeKey ? 'map' : 'set') : 'atomic');
  if (listType === 'set') return { kind: 'set' };
  if (listType !== 'map') return { kind: 'atomic' };
  const keys = meta?.listMapKeys?.length ? meta.listMapKeys : meta?.mergeKey ? [meta.mergeKey] : [];
  if (keys.length === 0) return { kind: 'atomic' };
  return { kind: 'map', keys, defaults: meta?.listMapKeyDefaults ?? conventionalKeyDefaults };
}

export function isAtomicMap(meta: PatchMeta | undefined): boolean {
  return meta?.mapType === 'atomic';
}

/**
 * The path element naming one list item: `k:{"port":80,"protocol":"TCP"}` (key fields sorted
 * by name, a missing key field takes its default) or `v:"value"` for sets.
 */
export function itemElement(shape: ListShape, item: unknown): string | undefined {
  if (shape.kind === 'set') return `v:${JSON.stringify(item)}`;
  if (shape.kind !== 'map' || !isRecord(item)) return undefined;
  const key: Record<string, unknown> = {};
  for (const name of [...shape.keys].sort()) {
    const value = item[name] ?? shape.defaults[name];
    if (value !== undefined) key[name] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

/** The items of a granular list by path element; later duplicates are ignored, as upstream does. */
export function indexItems(shape: ListShape, list: unknown[]): Map<string, unknown> {
  const items = new Map<string, unknown>();
  for (const item of list) {
    const element = itemElement(shape, item);
    if (element !== undefined && !items.has(element)) items.set(element, item);
  }
  return items;
}

/** A walker's position: field names for the lookup (indexes dropped). */
export interface SchemaAt {
  lookup: PatchMetaLookup;
  path: string[];
}

export function fieldAt(at: SchemaAt, field: string): SchemaAt {
  return { lookup: at.lookup, path: [...at.path, field] };
}

export function metaAt(at: SchemaAt): PatchMeta | undefined {
  return at.path.length === 0 ? undefined : at.lookup(at.path);
}
