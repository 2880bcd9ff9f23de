/**
 * Server-side apply and managedFields bookkeeping (apiserver fieldmanager over
 * structured-merge-diff), for the common shapes: maps, list-maps keyed by merge keys or
 * list-map keys, sets of scalars, atomic lists.
 *
 * Apply: merge the configuration into the live object; any field another manager owns whose
 * value would change is a conflict (unless `force`, which moves ownership); fields this
 * manager applied before and no longer applies are removed when no one else owns them; the
 * manager then owns exactly what it applied. Update: the writer gains what it added or
 * changed, everyone loses what was removed, other owners lose what the writer changed.
 */
import type { KubeObject } from '../../api/types.js';
import { FieldSet, formatFieldPath } from './fieldset.js';
import { deepClone, deepEqual, isRecord } from './json.js';
import { decodeManagedFields, encodeManagedFields, managerId, type ManagerEntry, type Managers } from './managed-fields.js';
import { mergeApplied, pruneUnowned } from './ssa-merge.js';
import { compareObjects, fieldSetOf, stripUntracked, type Comparison } from './ssa-sets.js';
import type { ApplyConflict, JsonObject, PatchMetaLookup } from './types.js';

/** The manager upstream credits with fields that existed before any tracking. */
export const beforeFirstApplyManager = 'before-first-apply';

export interface ApplyOptions {
  live: KubeObject | undefined;
  applied: JsonObject;
  manager: string;
  force: boolean;
  lookup: PatchMetaLookup;
  /** RFC 3339 time stamped on the manager's entry. */
  now: string;
  apiVersion: string;
  /** `status` when applying to the status subresource. */
  subresource?: string;
}

export interface ApplyResult {
  object: KubeObject;
  /** Non-empty only when `force` is false; `object` is then the unchanged live object. */
  conflicts: ApplyConflict[];
}

export function applyServerSide(opts: ApplyOptions): ApplyResult {
  const { lookup, subresource } = opts;
  const live = opts.live ? deepClone(opts.live) : undefined;
  const config = withoutNulls(opts.applied);
  if (isRecord(config.metadata)) delete config.metadata.managedFields;
  const managers = live ? managersOfLive(live, opts) : new Map<string, ManagerEntry>();
  const id = managerId({ manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, subresource });
  // A private copy: pruning edits it in place and must not reach `live`.
  const merged = deepClone(mergeApplied(withoutManagedFields(live), config, lookup)) as KubeObject;
  const changes = trackedComparison(live, merged, lookup, subresource);
  const conflicts = findConflicts(managers, id, changes.added.union(changes.modified));
  if (conflicts.length > 0 && !opts.force) return { object: live ?? merged, conflicts };
  for (const [otherId, entry] of managers) {
    if (otherId !== id) entry.set = entry.set.difference(changes.added.union(changes.modified));
  }
  const appliedSet = stripUntracked(fieldSetOf(config, lookup), subresource);
  const previous = managers.get(id)?.set;
  if (previous) pruneUnowned(merged, previous, ownedByAll(managers, id).union(appliedSet), lookup);
  const removed = trackedComparison(live, merged, lookup, subresource).removed;
  for (const entry of managers.values()) entry.set = entry.set.difference(removed);
  const entry: ManagerEntry = { manager: opts.manager, operation: 'Apply', apiVersion: opts.apiVersion, time: opts.now, set: appliedSet };
  if (subresource) entry.subresource = subresource;
  managers.set(id, entry);
  return { object: withManagedFields(merged, managers), conflicts: [] };
}

export interface UpdateRecordOptions {
  old: KubeObject | undefined;
  updated: KubeObject;
  manager: string;
  operation: 'Update';
  now: string;
  apiVersion: string;
  lookup: PatchMetaLookup;
  subresource?: string;
}

/** Returns `updated` with managedFields crediting `manager` for this create/update/patch. */
export function recordUpdateManager(opts: UpdateRecordOptions): KubeObject {
  const updated = deepClone(opts.updated);
  const managers = managersForUpdate(opts.old, updated);
  const changes = trackedComparison(opts.old, updated, opts.lookup, opts.subresource);
  creditUpdate(managers, changes, opts);
  return withManagedFields(updated, managers);
}

/**
 * A client that sends managedFields different from the live ones is resetting them (upstream
 * lets `[{}]` clear them); otherwise the live entries carry over.
 */
function managersForUpdate(old: KubeObject | undefined, updated: KubeObject): Managers {
  // metadata is typed as required, but a patch can delete it; read defensively.
  const sent = updated.metadata?.managedFields;
  const kept = old?.metadata?.managedFields;
  if (sent !== undefined && sent.length > 0 && !deepEqual(sent, kept)) return decodeManagedFields(sent);
  return decodeManagedFields(kept);
}

function creditUpdate(managers: Managers, changes: Comparison, opts: UpdateRecordOptions): void {
  const id = managerId({ manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, subresource: opts.subresource });
  const written = changes.added.union(changes.modified);
  for (const [otherId, entry] of managers) {
    if (otherId !== id) entry.set = entry.set.difference(written).difference(changes.removed);
  }
  const existing = managers.get(id);
  const changed = !written.isEmpty() || !changes.removed.isEmpty();
  const set = (existing?.set ?? new FieldSet()).union(written).difference(changes.removed);
  const entry: ManagerEntry = { manager: opts.manager, operation: 'Update', apiVersion: opts.apiVersion, set };
  const time = changed || !existing ? opts.now : existing.time;
  if (time !== undefined) entry.time = time;
  if (opts.subresource) entry.subresource = opts.subresource;
  managers.set(id, entry);
  for (const [key, e] of managers) if (e.operation === 'Update' && e.set.isEmpty()) managers.delete(key);
}

/** Live entries, or -- for an object never tracked -- everything credited to before-first-apply. */
function managersOfLive(live: KubeObject, opts: ApplyOptions): Managers {
  const managers = decodeManagedFields(live.metadata?.managedFields);
  if (managers.size > 0) return managers;
  const changes = trackedComparison(undefined, live, opts.lookup, opts.subresource);
  creditUpdate(managers, changes, {
    old: undefined,
    updated: live,
    manager: beforeFirstApplyManager,
    operation: 'Update',
    now: opts.now,
    apiVersion: opts.apiVersion,
    lookup: opts.lookup,
  });
  return managers;
}

function trackedComparison(oldObj: unknown, newObj: unknown, lookup: PatchMetaLookup, subresource: string | undefined): Comparison {
  const c = compareObjects(oldObj, newObj, lookup);
  return {
    added: stripUntracked(c.added, subresource),
    modified: stripUntracked(c.modified, subresource),
    removed: stripUntracked(c.removed, subresource),
  };
}

function findConflicts(managers: Managers, applierId: string, changed: FieldSet): ApplyConflict[] {
  const conflicts: ApplyConflict[] = [];
  for (const [id, entry] of managers) {
    if (id === applierId) continue;
    for (const path of entry.set.intersection(changed).members()) {
      const conflict: ApplyConflict = {
        manager: entry.manager,
        operation: entry.operation,
        apiVersion: entry.apiVersion,
        field: formatFieldPath(path),
      };
      if (entry.subresource) conflict.subresource = entry.subresource;
      conflicts.push(conflict);
    }
  }
  return conflicts.sort((a, b) => (a.manager === b.manager ? compare(a.field, b.field) : compare(a.manager, b.manager)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function ownedByAll(managers: Managers, exceptId: string): FieldSet {
  let all = new FieldSet();
  for (const [id, entry] of managers) if (id !== exceptId) all = all.union(entry.set);
  return all;
}

function withoutManagedFields(obj: KubeObject | undefined): KubeObject | undefined {
  if (!obj) return undefined;
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}

function withManagedFields(obj: KubeObject, managers: Managers): KubeObject {
  const metadata = isRecord(obj.metadata) ? obj.metadata : {};
  return { ...obj, metadata: { ...metadata, managedFields: encodeManagedFields(managers) } };
}

/** An applied `null` means "I do not set this": drop it before merging. */
function withoutNulls(value: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null) continue;
    out[key] = isRecord(v) ? withoutNulls(v) : Array.isArray(v) ? v.map((i) => (isRecord(i) ? withoutNulls(i) : i)) : v;
  }
  return out;
}
