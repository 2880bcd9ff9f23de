/**
 * Kubernetes strategic merge patch (`application/strategic-merge-patch+json`), the body
 * `kubectl apply`, `kubectl patch` and `kubectl edit` send for built-in kinds. Semantics
 * follow apimachinery pkg/util/strategicpatch (server side, parallel lists merged):
 *
 * - maps merge key by key; `null` deletes; a field whose kind changes is replaced;
 * - lists with strategy `merge` and a merge key merge item by item; lists of scalars with
 *   strategy `merge` are unions; every other list is replaced;
 * - directives: `$patch: replace|delete` on maps and list items, `$retainKeys`,
 *   `$setElementOrder/<field>`, `$deleteFromPrimitiveList/<field>`.
 *
 * One deliberate leniency: `$patch: merge` (which upstream rejects) is accepted as "merge as
 * usual". Values that are new to the object are cleaned of directives and nulls.
 */
import { badRequest, mergePatchMessages, unprocessable } from './errors.js';
import { indexByKey, itemKeyFor, orderMergedItems } from './element-order.js';
import { deepClone, deepEqual, isRecord, kindOf } from './json.js';
import type { JsonObject, PatchMeta, PatchMetaLookup } from './types.js';

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteListPrefix = '$deleteFromPrimitiveList';
const setOrderPrefix = '$setElementOrder';

interface At {
  lookup: PatchMetaLookup;
  path: string[];
}

/** Applies a strategic merge patch to a copy of `obj`; neither argument is changed. */
export function applyStrategicMergePatch(obj: unknown, patch: unknown, lookup: PatchMetaLookup): unknown {
  if (!isRecord(patch)) throw badRequest(mergePatchMessages.badJsonDoc);
  const original = isRecord(obj) ? deepClone(obj) : {};
  return mergeMap(original, deepClone(patch), { lookup, path: [] });
}

function childAt(at: At, field: string): At {
  return { lookup: at.lookup, path: [...at.path, field] };
}

function strategiesOf(meta: PatchMeta | undefined): Set<string> {
  return new Set((meta?.strategy ?? '').split(',').map((s) => s.trim()));
}

/** Merges `patch` into `original` in place (both are private copies) and returns the result. */
function mergeMap(original: JsonObject, patch: JsonObject, at: At): JsonObject {
  const directive = patch[directiveMarker];
  delete patch[directiveMarker];
  if (directive === 'replace') return mergeMap({}, patch, at);
  // Upstream leaves an empty map behind, not an absent field.
  if (directive === 'delete') return {};
  if (directive !== undefined && directive !== 'merge') {
    throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, at);
  const deletions = takeDeletionLists(patch);
  for (const [field, value] of Object.entries(patch)) mergeField(original, field, value, childAt(at, field));
  for (const [field, values] of deletions) deleteFromPrimitiveList(original, field, values);
  return original;
}

function mergeField(original: JsonObject, field: string, value: unknown, at: At): void {
  if (value === null) {
    delete original[field];
    return;
  }
  const current = original[field];
  if (current === undefined || current === null || kindOf(current) !== kindOf(value)) {
    original[field] = cleanValue(value, at);
    return;
  }
  const meta = at.lookup(at.path);
  const strategies = strategiesOf(meta);
  if (isRecord(value) && isRecord(current)) {
    original[field] = strategies.has('replace') ? cleanValue(value, at) : mergeMap(current, value, at);
  } else if (Array.isArray(value) && Array.isArray(current)) {
    original[field] = strategies.has('merge') ? mergeList(current, value, meta, at) : cleanValue(value, at);
  } else {
    original[field] = value;
  }
}

/** A value new to the object: directives take effect against nothing, nulls vanish. */
function cleanValue(value: unknown, at: At): unknown {
  if (isRecord(value)) return mergeMap({}, value, at);
  if (Array.isArray(value)) {
    const meta = at.lookup(at.path);
    return strategiesOf(meta).has('merge') ? mergeList([], value, meta, at) : value;
  }
  return value;
}

function mergeList(original: unknown[], patch: unknown[], meta: PatchMeta | undefined, at: At): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind([...original, ...patch]);
  if (kind !== 'map') {
    const merged = [...original];
    for (const item of patch) if (!merged.some((m) => deepEqual(m, item))) merged.push(item);
    return orderMergedItems(merged, patch, original, itemKeyFor(undefined));
  }
  const mergeKey = meta?.mergeKey;
  if (!mergeKey) throw badRequest(`cannot merge lists without merge key for ${at.path.join('.')}`);
  const { base, items, replace } = applyListItemDirectives(original, patch, mergeKey);
  if (replace) return items.map((item) => cleanValue(item, at));
  const keyOf = itemKeyFor(mergeKey);
  const merged = [...base];
  for (const item of items) {
    if (!isRecord(item) || !(mergeKey in item)) throw noMergeKey(item, mergeKey);
    const index = indexByKey(merged, item, keyOf);
    const found = merged[index];
    if (index >= 0 && isRecord(found)) merged[index] = mergeMap(found, item, at);
    else merged.push(cleanValue(item, at));
  }
  return orderMergedItems(merged, items, base, keyOf);
}

function elementKind(items: unknown[]): 'map' | 'scalar' {
  let kind: string | undefined;
  for (const item of items) {
    const k = kindOf(item);
    if (k === 'list') throw unprocessable(mergePatchMessages.noListOfLists);
    if (kind !== undefined && k !== kind) throw badRequest('list element types are not identical');
    kind = k;
  }
  return kind === 'map' ? 'map' : 'scalar';
}

interface ListDirectiveResult {
  /** The live items left after `$patch: delete` items took effect. */
  base: unknown[];
  /** Patch items without directives (and `$patch: merge` items with the marker removed). */
  items: unknown[];
  /** A `$patch: replace` item was present: `items` is the whole new list. */
  replace: boolean;
}

function applyListItemDirectives(original: unknown[], patch: unknown[], mergeKey: string): ListDirectiveResult {
  let base = [...original];
  const items: unknown[] = [];
  let replace = false;
  for (const item of patch) {
    const directive = isRecord(item) ? item[directiveMarker] : undefined;
    if (!isRecord(item) || directive === undefined) {
      items.push(item);
    } else if (directive === 'delete') {
      if (!(mergeKey in item)) throw noMergeKey(item, mergeKey);
      base = base.filter((b) => !(isRecord(b) && deepEqual(b[mergeKey], item[mergeKey])));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      const { [directiveMarker]: _marker, ...rest } = item;
      items.push(rest);
    } else {
      throw badRequest(`unknown patch type: ${String(directive)} in map: ${JSON.stringify(item)}`);
    }
  }
  return { base, items, replace };
}

function noMergeKey(item: unknown, mergeKey: string): Error {
  return badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`);
}

/** `$retainKeys`: clear every live key not listed; the patch itself may only set listed keys. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!(retainKeysDirective in patch)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw badRequest(mergePatchMessages.badRetainKeys);
  const retained = new Set(list.filter((k): k is string => typeof k === 'string'));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(deleteListPrefix) || key.startsWith(setOrderPrefix)) continue;
    if (!retained.has(key)) throw unprocessable(mergePatchMessages.retainKeysMismatch);
  }
  for (const key of Object.keys(original)) if (!retained.has(key)) delete original[key];
}

/** The field a parallel-list directive names: `$setElementOrder/containers` -> `containers`. */
function directiveField(key: string, prefix: string, message: string): string {
  const field = key.slice(prefix.length + 1);
  if (key[prefix.length] !== '/' || field === '') throw badRequest(message);
  return field;
}

function takeDeletionLists(patch: JsonObject): Map<string, unknown[]> {
  const deletions = new Map<string, unknown[]>();
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(deleteListPrefix)) continue;
    const values = patch[key];
    delete patch[key];
    if (!Array.isArray(values)) throw badRequest(mergePatchMessages.badPrimitiveList);
    deletions.set(directiveField(key, deleteListPrefix, mergePatchMessages.badPrimitiveList), values);
  }
  return deletions;
}

function deleteFromPrimitiveList(original: JsonObject, field: string, values: unknown[]): void {
  const current = original[field];
  if (!Array.isArray(current)) return;
  original[field] = current.filter((item) => !values.some((v) => deepEqual(v, item)));
}

/** Merges each list named by a `$setElementOrder/<field>` and puts it in the requested order. */
function applySetElementOrders(original: JsonObject, patch: JsonObject, at: At): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(setOrderPrefix)) continue;
    const order = patch[key];
    delete patch[key];
    const field = directiveField(key, setOrderPrefix, mergePatchMessages.badSetElementOrder);
    if (!Array.isArray(order)) throw badRequest(mergePatchMessages.badSetElementOrder);
    const current = listOrUndefined(original[field], field);
    const patchList = listOrUndefined(patch[field], field);
    const fieldAt = childAt(at, field);
    const meta = at.lookup(fieldAt.path);
    validateOrderList(patchList ?? [], order, meta?.mergeKey);
    const merged = mergeForOrder(current, patchList, meta, fieldAt);
    if (merged === undefined) continue;
    original[field] = orderMergedItems(merged, order, current ?? [], itemKeyFor(meta?.mergeKey));
    if (patchList !== undefined) delete patch[field];
  }
}

function listOrUndefined(value: unknown, field: string): unknown[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw badRequest(`expected a list for ${field}, but received a ${kindOf(value)}`);
  return value;
}

function mergeForOrder(
  current: unknown[] | undefined,
  patchList: unknown[] | undefined,
  meta: PatchMeta | undefined,
  at: At,
): unknown[] | undefined {
  if (patchList === undefined) return current;
  if (current === undefined || !strategiesOf(meta).has('merge')) return cleanValue(patchList, at) as unknown[];
  return mergeList(current, patchList, meta, at);
}

/** The patch list's items must appear in the `$setElementOrder` list, in the same relative order. */
function validateOrderList(patchList: unknown[], order: unknown[], mergeKey: string | undefined): void {
  if (order.length === 0) return;
  const items = patchList.filter((item) => !(isRecord(item) && directiveMarker in item));
  const keyOf = itemKeyFor(mergeKey);
  let p = 0;
  for (let o = 0; o < order.length && p < items.length; o++) {
    if (deepEqual(keyOf(items[p]), keyOf(order[o]))) p++;
  }
  if (p < items.length) {
    throw badRequest(
      `The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${setOrderPrefix} list:\n${JSON.stringify(order)}\n`,
    );
  }
}
