/**
 * Order of merged lists in a strategic merge patch, as apimachinery's strategicpatch decides
 * it: items named by the patch (or by its `$setElementOrder/<field>` list) follow the patch's
 * order; items only the server had keep their live order; the two runs are interleaved by
 * live position. A brand-new item therefore lands before the server-only items that follow
 * its predecessor in the patch -- `kubectl patch` adding one env var puts it first.
 */
import { deepEqual, isRecord } from './json.js';

/** The identity of a list item: its merge-key value for maps, the item itself for scalars. */
export type ItemKey = (item: unknown) => unknown;

export function itemKeyFor(mergeKey: string | undefined): ItemKey {
  return (item) => (mergeKey && isRecord(item) ? item[mergeKey] : item);
}

export function indexByKey(list: unknown[], item: unknown, keyOf: ItemKey): number {
  const key = keyOf(item);
  return list.findIndex((candidate) => deepEqual(keyOf(candidate), key));
}

/** Reorders `merged`: items present in `patchOrder` by that order, the rest by `serverOrder`. */
export function orderMergedItems(
  merged: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  keyOf: ItemKey,
): unknown[] {
  const inPatch = (item: unknown): boolean => indexByKey(patchOrder, item, keyOf) >= 0;
  const patchItems = sortByReference(merged.filter(inPatch), patchOrder, keyOf);
  const serverOnly = sortByReference(
    merged.filter((item) => !inPatch(item)),
    serverOrder,
    keyOf,
  );
  return interleave(serverOnly, patchItems, serverOrder, keyOf);
}

function sortByReference(items: unknown[], reference: unknown[], keyOf: ItemKey): unknown[] {
  const positions = items.map((item) => indexByKey(reference, item, keyOf));
  const order = items.map((_, i) => i);
  // Stable: items the reference does not name keep their relative place at the end.
  order.sort((a, b) => rank(positions[a]) - rank(positions[b]) || a - b);
  return order.map((i) => items[i]);
}

function rank(position: number | undefined): number {
  return position === undefined || position < 0 ? Number.MAX_SAFE_INTEGER : position;
}

/**
 * Merges two runs that are each already in order. A server-only item goes first only when
 * both it and the next patch item exist on the server and it stood earlier there.
 */
function interleave(serverOnly: unknown[], patchItems: unknown[], serverOrder: unknown[], keyOf: ItemKey): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < patchItems.length) {
    if (i >= serverOnly.length) {
      out.push(patchItems[j++]);
      continue;
    }
    if (j >= patchItems.length) {
      out.push(serverOnly[i++]);
      continue;
    }
    const left = indexByKey(serverOrder, serverOnly[i], keyOf);
    const right = indexByKey(serverOrder, patchItems[j], keyOf);
    if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
    else out.push(patchItems[j++]);
  }
  return out;
}
