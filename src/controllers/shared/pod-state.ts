/**
 * What the workload controllers read off a pod and its owner references. Pods arrive as
 * JSON, so every accessor tolerates missing or mistyped fields. (Shared by the StatefulSet,
 * DaemonSet and Job controllers; a candidate for a common controllers/ helper folder.)
 */
import { isRecord, type KubeObject, type OwnerReference } from '../../api/types.js';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export function podSpec(pod: KubeObject): Record<string, unknown> {
  return isRecord(pod.spec) ? pod.spec : {};
}

export function podStatus(pod: KubeObject): Record<string, unknown> {
  return isRecord(pod.status) ? pod.status : {};
}

export function podPhase(pod: KubeObject): PodPhase | undefined {
  const phase = podStatus(pod).phase;
  return typeof phase === 'string' ? (phase as PodPhase) : undefined;
}

function readyCondition(pod: KubeObject): Record<string, unknown> | undefined {
  const conditions = podStatus(pod).conditions;
  if (!Array.isArray(conditions)) return undefined;
  return conditions.find((c): c is Record<string, unknown> => isRecord(c) && c.type === 'Ready');
}

export function isPodReady(pod: KubeObject): boolean {
  return readyCondition(pod)?.status === 'True';
}

/** Running with the Ready condition: what "healthy" means to StatefulSets. */
export function isRunningAndReady(pod: KubeObject): boolean {
  return podPhase(pod) === 'Running' && isPodReady(pod);
}

/**
 * Ready for at least minReadySeconds (upstream podutil.IsPodAvailable); the Ready
 * condition's lastTransitionTime says since when.
 */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: Date): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = readyCondition(pod)?.lastTransitionTime;
  if (typeof since !== 'string') return false;
  return Date.parse(since) + minReadySeconds * 1000 <= now.getTime();
}

export function isTerminating(obj: KubeObject): boolean {
  return obj.metadata.deletionTimestamp !== undefined;
}

export function isTerminal(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === 'Succeeded' || phase === 'Failed';
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** The controller reference a workload puts on what it creates. */
export function controllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Index function for "objects controlled by uid X" (informer cache index). */
export function controllerUidIndex(obj: KubeObject): string[] {
  const ref = controllerOf(obj);
  return ref ? [ref.uid] : [];
}

export function creationTime(obj: KubeObject): number {
  const t = obj.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}
