/**
 * The two rollout strategies as upstream runs them, one step per sync: each step changes
 * sizes and stops, and the next sync (triggered by the ReplicaSets' status) takes the next.
 *
 * RollingUpdate: grow the new ReplicaSet up to replicas + maxSurge pods in total; shrink old
 * ReplicaSets while at least replicas - maxUnavailable pods stay available, unavailable old
 * pods first. Recreate: scale every old ReplicaSet to zero, wait until their pods are gone,
 * then create the new one at full size.
 */
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import { controllerRefOf } from '../replicaset/ownership.js';
import { desiredReplicas, maxUnavailable } from './intstr.js';
import { activeReplicaSets, specReplicas, sumSpecReplicas, sumStatus } from './replica-sets.js';
import { cleanupHistory } from './scale.js';
import { isDeploymentComplete } from './status.js';
import { newReplicaSetReplicas, type Workspace } from './workspace.js';

/** Runs one rolling-update step; true if it scaled something (status is then the next step). */
export function rolloutRolling(ws: Workspace): { newRS?: ReplicaSet; all: ReplicaSet[] } {
  const { newRS, old } = ws.newAndOld(true);
  const all = newRS ? [...old, newRS] : old;
  if (newRS && reconcileNewReplicaSet(ws, all, newRS)) return { newRS, all };
  if (reconcileOldReplicaSets(ws, all, activeReplicaSets(old), newRS)) return { newRS, all };
  if (isDeploymentComplete(ws.d, ws.status)) cleanupHistory(ws, old);
  return { newRS, all };
}

function reconcileNewReplicaSet(ws: Workspace, all: ReplicaSet[], newRS: ReplicaSet): boolean {
  const desired = desiredReplicas(ws.d);
  if (specReplicas(newRS) === desired) return false;
  if (specReplicas(newRS) > desired) return ws.scaleIfNeeded(newRS, desired);
  return ws.scaleIfNeeded(newRS, newReplicaSetReplicas(ws.d, all, newRS));
}

function reconcileOldReplicaSets(ws: Workspace, all: ReplicaSet[], activeOld: ReplicaSet[], newRS: ReplicaSet | undefined): boolean {
  if (sumSpecReplicas(activeOld) === 0) return false;
  const minAvailable = desiredReplicas(ws.d) - maxUnavailable(ws.d);
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = sumSpecReplicas(all) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = cleanupUnhealthyReplicas(ws, activeOld, maxScaledDown);
  const scaledDown = scaleDownOldReplicaSets(ws, newRS ? [...activeOld, newRS] : activeOld, activeOld);
  return cleaned + scaledDown > 0;
}

/** Old pods that are not available can go at once: they serve nothing. */
function cleanupUnhealthyReplicas(ws: Workspace, old: ReplicaSet[], maxCleanup: number): number {
  let total = 0;
  for (const rs of ws.sortedOld(old)) {
    if (total >= maxCleanup) break;
    const replicas = specReplicas(rs);
    const unhealthy = replicas - (rs.status?.availableReplicas ?? 0);
    if (replicas === 0 || unhealthy <= 0) continue;
    const down = Math.min(maxCleanup - total, unhealthy);
    ws.scaleIfNeeded(rs, replicas - down);
    total += down;
  }
  return total;
}

/** Takes available old pods away while replicas - maxUnavailable stay available. */
function scaleDownOldReplicaSets(ws: Workspace, all: ReplicaSet[], old: ReplicaSet[]): number {
  const minAvailable = desiredReplicas(ws.d) - maxUnavailable(ws.d);
  const available = sumStatus(all, 'availableReplicas');
  if (available <= minAvailable) return 0;
  const target = available - minAvailable;
  let total = 0;
  for (const rs of ws.sortedOld(old)) {
    if (total >= target) break;
    const replicas = specReplicas(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, target - total);
    ws.scaleIfNeeded(rs, replicas - down);
    total += down;
  }
  return total;
}

/** Runs one Recreate step. */
export function rolloutRecreate(ws: Workspace, pods: readonly Pod[]): { newRS?: ReplicaSet; all: ReplicaSet[] } {
  let { newRS, old } = ws.newAndOld(false);
  let all = newRS ? [...old, newRS] : old;
  let scaledDown = false;
  for (const rs of activeReplicaSets(old)) if (ws.scaleIfNeeded(rs, 0)) scaledDown = true;
  if (scaledDown || oldPodsRunning(newRS, old, pods)) return { newRS, all };
  if (!newRS) {
    ({ newRS, old } = ws.newAndOld(true));
    all = newRS ? [...old, newRS] : old;
  }
  if (newRS) ws.scaleIfNeeded(newRS, desiredReplicas(ws.d));
  if (isDeploymentComplete(ws.d, ws.status)) cleanupHistory(ws, old);
  return { newRS, all };
}

/** Old ReplicaSets still report pods, or pods of theirs exist that have not finished. */
function oldPodsRunning(newRS: ReplicaSet | undefined, old: ReplicaSet[], pods: readonly Pod[]): boolean {
  if (sumStatus(old, 'replicas') > 0) return true;
  const oldUids = new Set(old.map((rs) => rs.metadata.uid));
  return pods.some((pod) => {
    const uid = controllerRefOf(pod)?.uid;
    if (!uid || uid === newRS?.metadata.uid || !oldUids.has(uid)) return false;
    const phase = pod.status?.phase;
    return phase !== 'Failed' && phase !== 'Succeeded';
  });
}
