/**
 * Field sets of objects, as structured-merge-diff computes them:
 * - `fieldSetOf(config)`: what an applied configuration claims -- its leaves, atomic lists and
 *   maps, and every item of a granular list (so items carry `".": {}`);
 * - `compareObjects(old, new)`: which paths an update added, modified and removed; every node
 *   of an added or removed subtree counts, which is why a new `labels` map gets `".": {}`.
 * Neither includes the fields the API server owns (name, uid, resourceVersion, ...).
 */
import { FieldSet } from './fieldset.js';
import { deepEqual, isRecord } from './json.js';
import { fieldAt, indexItems, isAtomicMap, listShape, metaAt, type SchemaAt } from './ssa-schema.js';
import type { PatchMetaLookup } from './types.js';

/** Fields never tracked in managedFields (apiserver fieldmanager stripMeta). */
const serverOwnedMetadata = [
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'generation',
  'managedFields',
  'resourceVersion',
];

/**
 * Removes untracked fields: type and identity metadata, and the part of the object the other
 * endpoint owns -- `status` for the main resource, everything but status (and metadata) for
 * the status subresource.
 */
export function stripUntracked(set: FieldSet, subresource: string | undefined): FieldSet {
  const out = set.clone();
  out.member = false;
  out.children.delete('f:apiVersion');
  out.children.delete('f:kind');
  const metadata = out.children.get('f:metadata');
  if (metadata) {
    metadata.member = false;
    for (const field of serverOwnedMetadata) metadata.children.delete(`f:${field}`);
  }
  if (subresource === 'status') {
    for (const key of [...out.children.keys()]) if (key !== 'f:status' && key !== 'f:metadata') out.children.delete(key);
  } else if (subresource === undefined) {
    out.children.delete('f:status');
  }
  return out.difference(new FieldSet());
}

export function fieldSetOf(value: unknown, lookup: PatchMetaLookup): FieldSet {
  const set = new FieldSet();
  claimChildren(value, set, { lookup, path: [] });
  return set.difference(new FieldSet());
}

/** Claims what lies below `node` (the node itself is claimed by the caller when it should be). */
function claimChildren(value: unknown, node: FieldSet, at: SchemaAt): void {
  const meta = metaAt(at);
  if (isRecord(value)) {
    if (isAtomicMap(meta)) {
      node.member = true;
      return;
    }
    for (const [field, child] of Object.entries(value)) claimValue(child, node.child(`f:${field}`), fieldAt(at, field));
    return;
  }
  if (!Array.isArray(value)) return;
  const shape = listShape(meta);
  if (shape.kind === 'atomic') {
    node.member = true;
    return;
  }
  for (const [element, item] of indexItems(shape, value)) {
    const itemNode = node.child(element);
    itemNode.member = true;
    claimChildren(item, itemNode, at);
  }
}

function claimValue(value: unknown, node: FieldSet, at: SchemaAt): void {
  if (isRecord(value) || Array.isArray(value)) claimChildren(value, node, at);
  else node.member = true;
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compares two whole objects. `spec` and `status` count as present-but-empty when absent. */
export function compareObjects(oldObj: unknown, newObj: unknown, lookup: PatchMetaLookup): Comparison {
  const result: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const withEmptyBody = (obj: unknown): unknown => {
    if (!isRecord(obj)) return { spec: {}, status: {} };
    return { ...obj, spec: obj.spec ?? {}, status: obj.status ?? {} };
  };
  compareChildren(withEmptyBody(oldObj), withEmptyBody(newObj), [], result, { lookup, path: [] });
  return result;
}

function compareValue(oldValue: unknown, newValue: unknown, path: string[], result: Comparison, at: SchemaAt): void {
  if (oldValue === undefined && newValue === undefined) return;
  if (oldValue === undefined) return markAll(newValue, path, result.added, at);
  if (newValue === undefined) return markAll(oldValue, path, result.removed, at);
  if (isGranular(oldValue, newValue, at)) return compareChildren(oldValue, newValue, path, result, at);
  if (!deepEqual(oldValue, newValue)) result.modified.insert(path);
}

/** Both sides are maps, or both lists, that are tracked field by field (and not both empty). */
function isGranular(a: unknown, b: unknown, at: SchemaAt): boolean {
  const meta = metaAt(at);
  if (isRecord(a) && isRecord(b)) {
    return !isAtomicMap(meta) && (Object.keys(a).length > 0 || Object.keys(b).length > 0);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return listShape(meta).kind !== 'atomic' && (a.length > 0 || b.length > 0);
  }
  return false;
}

function compareChildren(oldValue: unknown, newValue: unknown, path: string[], result: Comparison, at: SchemaAt): void {
  if (isRecord(oldValue) && isRecord(newValue)) {
    for (const field of new Set([...Object.keys(oldValue), ...Object.keys(newValue)])) {
      compareValue(oldValue[field], newValue[field], [...path, `f:${field}`], result, fieldAt(at, field));
    }
    return;
  }
  if (!Array.isArray(oldValue) || !Array.isArray(newValue)) return;
  const shape = listShape(metaAt(at));
  const oldItems = indexItems(shape, oldValue);
  const newItems = indexItems(shape, newValue);
  for (const element of new Set([...oldItems.keys(), ...newItems.keys()])) {
    compareValue(oldItems.get(element), newItems.get(element), [...path, element], result, at);
  }
}

/** Puts every node of a subtree in `set`: the node itself, its fields, its list items. */
function markAll(value: unknown, path: string[], set: FieldSet, at: SchemaAt): void {
  set.insert(path);
  const meta = metaAt(at);
  if (isRecord(value) && !isAtomicMap(meta)) {
    for (const [field, child] of Object.entries(value)) markAll(child, [...path, `f:${field}`], set, fieldAt(at, field));
  } else if (Array.isArray(value)) {
    const shape = listShape(meta);
    if (shape.kind === 'atomic') return;
    for (const [element, item] of indexItems(shape, value)) markAll(item, [...path, element], set, at);
  }
}
