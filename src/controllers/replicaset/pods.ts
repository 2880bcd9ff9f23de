/**
 * Facts about pods that replica controllers decide on: active, ready, available, and the
 * order in which surplus pods are deleted (upstream's ActivePodsWithRanks).
 */
import type { Pod, PodCondition } from './types.js';

/** Counts toward replicas: not finished and not being deleted (upstream FilterActivePods). */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

function readyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: Date): boolean {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = ready.lastTransitionTime ? Date.parse(ready.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 <= now.getTime();
}

/** Milliseconds until a ready pod becomes available, or undefined if it is not ready or already is. */
export function msUntilAvailable(pod: Pod, minReadySeconds: number, now: Date): number | undefined {
  const ready = readyCondition(pod);
  if (ready?.status !== 'True' || minReadySeconds <= 0 || !ready.lastTransitionTime) return undefined;
  const left = Date.parse(ready.lastTransitionTime) + minReadySeconds * 1000 - now.getTime();
  return left > 0 ? left : undefined;
}

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function deletionCost(pod: Pod): number {
  const value = Number(pod.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']);
  return Number.isInteger(value) ? value : 0;
}

function maxRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function timeOf(text: string | undefined): number | undefined {
  const t = text ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? undefined : t;
}

/** Negative when a should go first: an empty time first, then the later time. */
function laterFirst(a: number | undefined, b: number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return b - a;
}

/**
 * Orders pods so the ones to delete first come first, by upstream's rules in turn:
 * unscheduled before scheduled; Pending before Unknown before Running; not ready before
 * ready; lower pod-deletion-cost first; more pods of the same owner on the node first;
 * ready for less time first; more container restarts first; newer before older.
 * (Upstream buckets times logarithmically; here plain times decide, so "newer" is exact.)
 */
export function compareForDeletion(a: Pod, b: Pod, rankOf: (pod: Pod) => number = () => 0): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = phaseOrdinal[a.status?.phase ?? ''] ?? 0;
  const phaseB = phaseOrdinal[b.status?.phase ?? ''] ?? 0;
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  const costDiff = deletionCost(a) - deletionCost(b);
  if (costDiff !== 0) return costDiff;
  const rankDiff = rankOf(b) - rankOf(a);
  if (rankDiff !== 0) return rankDiff;
  if (readyA && readyB) {
    const byReadyTime = laterFirst(timeOf(readyCondition(a)?.lastTransitionTime), timeOf(readyCondition(b)?.lastTransitionTime));
    if (byReadyTime !== 0) return byReadyTime;
  }
  const restartDiff = maxRestarts(b) - maxRestarts(a);
  if (restartDiff !== 0) return restartDiff;
  return laterFirst(timeOf(a.metadata.creationTimestamp), timeOf(b.metadata.creationTimestamp));
}

/**
 * The `count` pods to delete first. A pod's rank is how many active pods of `related` share
 * its node, so scale-down evens pods out across nodes.
 */
export function podsToDelete(pods: readonly Pod[], count: number, related: readonly Pod[] = pods): Pod[] {
  if (count <= 0) return [];
  if (count >= pods.length) return [...pods];
  const podsByNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) podsByNode.set(node, (podsByNode.get(node) ?? 0) + 1);
  }
  const rankOf = (p: Pod): number => (p.spec?.nodeName ? (podsByNode.get(p.spec.nodeName) ?? 0) : 0);
  return [...pods].sort((a, b) => compareForDeletion(a, b, rankOf)).slice(0, count);
}
