/**
 * The two object edits of server-side apply: merging an applied configuration into the live
 * object (structured-merge-diff `Merge`), and removing what the applier used to own and no
 * longer applies when no one else owns it (fieldmanager `prune`).
 */
import type { FieldSet } from './fieldset.js';
import { deepClone, isRecord } from './json.js';
import { fieldAt, indexItems, isAtomicMap, itemElement, listShape, metaAt, type ListShape, type SchemaAt } from './ssa-schema.js';
import type { PatchMetaLookup } from './types.js';

export function mergeApplied(live: unknown, config: unknown, lookup: PatchMetaLookup): unknown {
  return mergeValue(live, config, { lookup, path: [] });
}

function mergeValue(live: unknown, config: unknown, at: SchemaAt): unknown {
  if (config === undefined) return deepClone(live);
  if (live === undefined) return deepClone(config);
  const meta = metaAt(at);
  if (isRecord(live) && isRecord(config) && !isAtomicMap(meta)) {
    const out: Record<string, unknown> = { ...live };
    for (const [field, value] of Object.entries(config)) out[field] = mergeValue(live[field], value, fieldAt(at, field));
    return out;
  }
  const shape = listShape(meta);
  if (Array.isArray(live) && Array.isArray(config) && shape.kind !== 'atomic') {
    return mergeLists(live, config, shape, at);
  }
  return deepClone(config);
}

/**
 * Items only the live list has keep their place; items the configuration names follow the
 * configuration's order (structured-merge-diff's merge order).
 */
function mergeLists(live: unknown[], config: unknown[], shape: ListShape, at: SchemaAt): unknown[] {
  const liveItems = indexItems(shape, live);
  const configItems = indexItems(shape, config);
  const liveOrder = [...liveItems.keys()];
  const configOrder = [...configItems.keys()];
  const shared = configOrder.filter((e) => liveItems.has(e));
  const out: unknown[] = [];
  const take = (element: string): void => {
    out.push(mergeValue(liveItems.get(element), configItems.get(element), at));
    if (shared[0] === element) shared.shift();
  };
  let l = 0;
  let c = 0;
  while (l < liveOrder.length || c < configOrder.length) {
    const liveElement = liveOrder[l];
    const configElement = configOrder[c];
    if (liveElement !== undefined && liveElement === configElement) {
      take(liveElement);
      l++;
      c++;
    } else if (liveElement !== undefined && !configItems.has(liveElement)) {
      out.push(deepClone(liveItems.get(liveElement)));
      l++;
    } else if (configElement !== undefined) {
      // A shared live item that is not the next one the configuration wants waits its turn.
      if (liveElement !== undefined && shared[0] !== liveElement) l++;
      else {
        take(configElement);
        c++;
      }
    } else {
      // Only shared live items remain and the configuration is exhausted: already emitted.
      l++;
    }
  }
  return out;
}

/**
 * Removes from `obj` (in place) every path of `previous` that `keep` does not hold, unless
 * something below it is kept. Maps and lists emptied by the removal go too.
 */
export function pruneUnowned(obj: Record<string, unknown>, previous: FieldSet, keep: FieldSet, lookup: PatchMetaLookup): void {
  pruneChildren(obj, previous, keep, { lookup, path: [] });
}

function shouldRemove(previous: FieldSet, keep: FieldSet | undefined): boolean {
  return previous.member && !(keep?.hasMembers() ?? false);
}

function pruneChildren(value: unknown, previous: FieldSet, keep: FieldSet | undefined, at: SchemaAt): void {
  if (isRecord(value)) {
    for (const [element, prev] of previous.children) {
      if (!element.startsWith('f:')) continue;
      const field = element.slice(2);
      if (!(field in value)) continue;
      const kept = keep?.children.get(element);
      if (shouldRemove(prev, kept)) delete value[field];
      else if (pruneNested(value[field], prev, kept, fieldAt(at, field))) delete value[field];
    }
    return;
  }
  if (!Array.isArray(value)) return;
  const shape = listShape(metaAt(at));
  for (let i = value.length - 1; i >= 0; i--) {
    const element = itemElement(shape, value[i]);
    const prev = element === undefined ? undefined : previous.children.get(element);
    if (!prev || element === undefined) continue;
    const kept = keep?.children.get(element);
    if (shouldRemove(prev, kept)) value.splice(i, 1);
    else pruneChildren(value[i], prev, kept, at);
  }
}

/** Prunes inside a container; true when the container became empty and nobody keeps it. */
function pruneNested(value: unknown, previous: FieldSet, keep: FieldSet | undefined, at: SchemaAt): boolean {
  if (previous.children.size === 0) return false;
  const before = sizeOf(value);
  pruneChildren(value, previous, keep, at);
  return before > 0 && sizeOf(value) === 0 && !(keep?.member ?? false);
}

function sizeOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  if (isRecord(value)) return Object.keys(value).length;
  return -1;
}
