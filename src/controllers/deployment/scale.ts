/**
 * Scaling a Deployment without a rollout step (spec.replicas changed, or paused), and pruning
 * old ReplicaSets beyond revisionHistoryLimit.
 *
 * When replicas change mid-rollout, the difference is spread over the active ReplicaSets in
 * proportion to their size (upstream proportional scaling), so the rollout's progress is kept:
 * each ReplicaSet's share is its size times newAllowed / oldAllowed, where "allowed" is
 * replicas + maxSurge, and the old one is remembered in the max-replicas annotation.
 */
import type { ReplicaSet } from '../replicaset/types.js';
import { desiredReplicas, isRollingUpdate, maxSurge } from './intstr.js';
import {
  activeReplicaSets,
  byCreation,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  desiredReplicasOf,
  maxReplicasOf,
  specReplicas,
  sumSpecReplicas,
} from './replica-sets.js';
import type { Workspace } from './workspace.js';

/** Some active ReplicaSet was sized for a different spec.replicas than the current one. */
export function isScalingEvent(ws: Workspace): boolean {
  const { newRS, old } = ws.newAndOld(false);
  const desired = desiredReplicas(ws.d);
  return activeReplicaSets([...old, newRS]).some((rs) => {
    const annotated = desiredReplicasOf(rs);
    return annotated !== undefined && annotated !== desired;
  });
}

/** The one active ReplicaSet, or the newest if none is active; none if several are. */
function activeOrLatest(newRS: ReplicaSet | undefined, old: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && old.length === 0) return undefined;
  const newestFirst = [...old].sort((a, b) => byCreation(b, a));
  const active = activeReplicaSets([...newestFirst, newRS]);
  if (active.length === 1) return active[0];
  if (active.length === 0) return newRS ?? newestFirst[0];
  return undefined;
}

function isSaturated(ws: Workspace, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicas(ws.d);
  return specReplicas(rs) === desired && desiredReplicasOf(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

export function scaleDeployment(ws: Workspace, newRS: ReplicaSet | undefined, old: ReplicaSet[]): void {
  const desired = desiredReplicas(ws.d);
  const single = activeOrLatest(newRS, old);
  if (single) {
    if (specReplicas(single) !== desired) ws.scale(single, desired);
    return;
  }
  if (isSaturated(ws, newRS)) {
    for (const rs of activeReplicaSets(old)) ws.scale(rs, 0);
    return;
  }
  if (isRollingUpdate(ws.d)) scaleProportionally(ws, activeReplicaSets([...old, newRS]));
}

function scaleProportionally(ws: Workspace, active: ReplicaSet[]): void {
  const desired = desiredReplicas(ws.d);
  const allowed = desired > 0 ? desired + maxSurge(ws.d) : 0;
  const toAdd = allowed - sumSpecReplicas(active);
  const ordered = [...active].sort(toAdd > 0 ? bySizeNewer : bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of ordered) {
    const share = toAdd === 0 ? 0 : proportion(ws, rs, toAdd, added);
    sizes.set(rs, specReplicas(rs) + share);
    added += share;
  }
  // What rounding left over goes to (or comes from) the largest ReplicaSet.
  const first = ordered[0];
  if (first && toAdd !== 0) sizes.set(first, Math.max(0, (sizes.get(first) ?? 0) + toAdd - added));
  for (const rs of ordered) ws.scale(rs, sizes.get(rs) ?? specReplicas(rs));
}

function proportion(ws: Workspace, rs: ReplicaSet, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(ws, rs);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(ws: Workspace, rs: ReplicaSet): number {
  const desired = desiredReplicas(ws.d);
  if (desired === 0) return -specReplicas(rs);
  const allowed = desired + maxSurge(ws.d);
  const before = maxReplicasOf(rs) ?? ws.d.status?.replicas ?? 0;
  if (before === 0) return 0;
  return Math.round((specReplicas(rs) * allowed) / before) - specReplicas(rs);
}

/**
 * Deletes the oldest revisions beyond revisionHistoryLimit, but only ReplicaSets that are
 * scaled to zero, have no pods left and whose controller saw their latest spec.
 */
export function cleanupHistory(ws: Workspace, old: readonly ReplicaSet[]): void {
  const limit = ws.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = old.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
  const surplus = cleanable.length - limit;
  for (const rs of cleanable.slice(0, Math.max(0, surplus))) {
    const observed = rs.status?.observedGeneration ?? 0;
    if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > observed) continue;
    ws.deleted.push(rs);
  }
}
