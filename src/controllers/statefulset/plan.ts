/**
 * The StatefulSet planner (upstream StatefulSetControl.updateStatefulSet, one pass): which
 * ordinals to create at which revision and which pods to delete, given the owned pods.
 *
 * - OrderedReady: ordinals are created lowest first, each only once all lower ones are Running
 *   and Ready; surplus pods go highest first, one at a time, each gone before the next.
 * - Parallel: every missing ordinal is created and every surplus pod deleted at once.
 * - RollingUpdate: once the pods are healthy, the highest ordinal at or above the partition
 *   that is not at the update revision is deleted (it comes back at the update revision);
 *   one at a time, waiting for each to be healthy again. OnDelete replaces nothing.
 * - A Failed or Succeeded pod is deleted so its ordinal can be created again.
 */
import type { KubeObject } from '../../api/types.js';
import { isPodAvailable, isRunningAndReady, isTerminal, isTerminating } from '../shared/pod-state.js';
import { ordinalOf, type StatefulSetSpecView } from './spec.js';

export const revisionLabel = 'controller-revision-hash';

export interface StatefulSetPlan {
  create: Array<{ ordinal: number; revision: 'current' | 'update' }>;
  delete: KubeObject[];
}

export interface StatefulSetInputs {
  spec: StatefulSetSpecView;
  /** Pods this StatefulSet controls. */
  pods: readonly KubeObject[];
  currentRevision: string;
  updateRevision: string;
  now: Date;
}

export function podRevision(pod: KubeObject): string | undefined {
  return pod.metadata.labels?.[revisionLabel];
}

/** Running, Ready for minReadySeconds, and not being deleted. */
function isHealthy(pod: KubeObject, spec: StatefulSetSpecView, now: Date): boolean {
  return isRunningAndReady(pod) && isPodAvailable(pod, spec.minReadySeconds, now) && !isTerminating(pod);
}

/** Pods below the partition keep the current revision when they are (re)created. */
function revisionFor(spec: StatefulSetSpecView, ordinal: number): 'current' | 'update' {
  return !spec.onDelete && ordinal < spec.startOrdinal + spec.partition ? 'current' : 'update';
}

function splitPods(inputs: StatefulSetInputs): { replicas: Map<number, KubeObject>; condemned: KubeObject[] } {
  const { spec } = inputs;
  const end = spec.startOrdinal + spec.replicas;
  const replicas = new Map<number, KubeObject>();
  const condemned: Array<[number, KubeObject]> = [];
  for (const pod of inputs.pods) {
    const ordinal = ordinalOf(spec.name, pod.metadata.name ?? '');
    if (ordinal === undefined) continue;
    if (ordinal >= spec.startOrdinal && ordinal < end) replicas.set(ordinal, pod);
    else condemned.push([ordinal, pod]);
  }
  condemned.sort((a, b) => a[0] - b[0]);
  return { replicas, condemned: condemned.map(([, pod]) => pod) };
}

export function planStatefulSet(inputs: StatefulSetInputs): StatefulSetPlan {
  const { spec, now } = inputs;
  const plan: StatefulSetPlan = { create: [], delete: [] };
  const monotonic = !spec.parallel;
  const { replicas, condemned } = splitPods(inputs);
  const end = spec.startOrdinal + spec.replicas;

  for (let ordinal = spec.startOrdinal; ordinal < end; ordinal++) {
    const pod = replicas.get(ordinal);
    if (!pod) {
      plan.create.push({ ordinal, revision: revisionFor(spec, ordinal) });
      if (monotonic) return plan;
      continue;
    }
    if (isTerminal(pod) && !isTerminating(pod)) {
      plan.delete.push(pod);
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && !isHealthy(pod, spec, now)) return plan;
  }

  const firstUnhealthy = condemned.find((pod) => !isHealthy(pod, spec, now));
  for (const pod of [...condemned].reverse()) {
    if (isTerminating(pod)) {
      if (monotonic) return plan;
      continue;
    }
    if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy) return plan;
    plan.delete.push(pod);
    if (monotonic) return plan;
  }

  if (spec.onDelete) return plan;
  for (let ordinal = end - 1; ordinal >= spec.startOrdinal + spec.partition; ordinal--) {
    const pod = replicas.get(ordinal);
    if (!pod || plan.delete.includes(pod)) return plan;
    if (podRevision(pod) !== inputs.updateRevision && !isTerminating(pod)) {
      plan.delete.push(pod);
      return plan;
    }
    if (!isHealthy(pod, spec, now)) return plan;
  }
  return plan;
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/**
 * The status upstream computes: counts over the owned pods; once a rolling update has every
 * pod updated and ready, the update revision becomes the current one.
 */
export function computeStatefulSetStatus(
  inputs: StatefulSetInputs & { generation: number | undefined; collisionCount: number; onDelete: boolean },
): StatefulSetStatus {
  const status: StatefulSetStatus = {
    observedGeneration: inputs.generation,
    replicas: 0,
    readyReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    availableReplicas: 0,
    currentRevision: inputs.currentRevision,
    updateRevision: inputs.updateRevision,
    collisionCount: inputs.collisionCount,
  };
  for (const pod of inputs.pods) {
    if (ordinalOf(inputs.spec.name, pod.metadata.name ?? '') === undefined) continue;
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isPodAvailable(pod, inputs.spec.minReadySeconds, inputs.now)) status.availableReplicas++;
    }
    if (isTerminating(pod)) continue;
    const revision = podRevision(pod);
    if (revision === inputs.currentRevision) status.currentReplicas++;
    if (revision === inputs.updateRevision) status.updatedReplicas++;
  }
  if (!inputs.onDelete && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
  return status;
}
