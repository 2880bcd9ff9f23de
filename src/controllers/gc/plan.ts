/**
 * The garbage collector's decisions, as a pure function of one object, what became of each of
 * its owners, and its dependents. Mirrors Kubernetes' attemptToDeleteItem /
 * processDeletingDependentsItem / orphanDependents split:
 *
 * - an object whose every owner is gone is deleted (its own finalizers choose the policy);
 * - an object with at least one live owner keeps living, and loses the references to owners
 *   that are gone or are waiting for it to go (else those owners would wait forever);
 * - an owner being deleted in the foreground waits until no dependent blocks it, then drops
 *   its `foregroundDeletion` finalizer;
 * - an owner being deleted with `orphan` first strips itself from its dependents' references.
 */
import type { OwnerReference } from '../../api/types.js';

export const foregroundFinalizer = 'foregroundDeletion';
export const orphanFinalizer = 'orphan';

export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/**
 * `solid`: exists and is not waiting for its dependents; `dangling`: gone (or replaced by an
 * object with another uid); `waiting`: being deleted in the foreground; `unknown`: of a kind
 * this server does not serve, so never treated as gone.
 */
export type OwnerState = 'solid' | 'dangling' | 'waiting' | 'unknown';

export interface OwnerView {
  ref: OwnerReference;
  state: OwnerState;
}

export interface DependentView {
  /** The work-queue key of the dependent. */
  key: string;
  /** Its reference to the item has blockOwnerDeletion=true. */
  blocksOwner: boolean;
  /** It is itself being deleted in the foreground (has deletionTimestamp and foregroundDeletion). */
  deletingDependents: boolean;
}

export interface ItemView {
  uid: string;
  beingDeleted: boolean;
  finalizers: readonly string[];
  owners: readonly OwnerView[];
  dependents: readonly DependentView[];
}

export type GcAction =
  | { type: 'removeOwnerRefs'; uids: string[] }
  | { type: 'unblockOwnerRefs'; uids: string[] }
  | { type: 'delete'; policy: PropagationPolicy }
  | { type: 'orphanDependents'; keys: string[] }
  | { type: 'removeFinalizer'; finalizer: string }
  | { type: 'attemptDependents'; keys: string[] };

export function planItem(item: ItemView): GcAction[] {
  if (item.beingDeleted) return planDeleting(item);
  if (item.owners.length === 0) return [];
  return planOwned(item);
}

/** An object already being deleted: only the orphan and foreground flows concern the collector. */
function planDeleting(item: ItemView): GcAction[] {
  if (item.finalizers.includes(orphanFinalizer)) {
    const keys = item.dependents.map((d) => d.key);
    const actions: GcAction[] = keys.length > 0 ? [{ type: 'orphanDependents', keys }] : [];
    return [...actions, { type: 'removeFinalizer', finalizer: orphanFinalizer }];
  }
  if (!item.finalizers.includes(foregroundFinalizer)) return [];
  if (!item.dependents.some((d) => d.blocksOwner)) return [{ type: 'removeFinalizer', finalizer: foregroundFinalizer }];
  // Dependents in their own foreground deletion are driven by their own sync.
  const keys = item.dependents.filter((d) => !d.deletingDependents).map((d) => d.key);
  return keys.length > 0 ? [{ type: 'attemptDependents', keys }] : [];
}

function planOwned(item: ItemView): GcAction[] {
  const uidsIn = (state: OwnerState): string[] => item.owners.filter((o) => o.state === state).map((o) => o.ref.uid);
  const dangling = uidsIn('dangling');
  const waiting = uidsIn('waiting');
  const hasSolid = item.owners.some((o) => o.state === 'solid' || o.state === 'unknown');
  if (hasSolid) {
    const stale = [...dangling, ...waiting];
    return stale.length > 0 ? [{ type: 'removeOwnerRefs', uids: stale }] : [];
  }
  if (waiting.length > 0 && item.dependents.length > 0) {
    // A dependent already waiting on its own dependents may be our owner (a cycle): stop
    // blocking our waiting owners so the cycle can unwind.
    const cycle = item.dependents.some((d) => d.deletingDependents);
    const unblock = item.owners.filter((o) => o.state === 'waiting' && o.ref.blockOwnerDeletion).map((o) => o.ref.uid);
    const actions: GcAction[] = cycle && unblock.length > 0 ? [{ type: 'unblockOwnerRefs', uids: unblock }] : [];
    return [...actions, { type: 'delete', policy: 'Foreground' }];
  }
  return [{ type: 'delete', policy: policyFromFinalizers(item.finalizers) }];
}

/** Every owner is gone: the object's own finalizers say how its own dependents should go. */
function policyFromFinalizers(finalizers: readonly string[]): PropagationPolicy {
  if (finalizers.includes(orphanFinalizer)) return 'Orphan';
  if (finalizers.includes(foregroundFinalizer)) return 'Foreground';
  return 'Background';
}
