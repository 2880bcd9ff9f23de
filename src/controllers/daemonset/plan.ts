/**
 * The DaemonSet planner (upstream manage + rollingUpdate + updateDaemonSetStatus): one pod per
 * node that should run one, none elsewhere, and a rolling replacement of outdated pods that
 * keeps at most maxUnavailable nodes without an available daemon pod.
 */
import type { KubeObject } from '../../api/types.js';
import { creationTime, isPodAvailable, isPodReady, isTerminal, isTerminating, podPhase } from '../shared/pod-state.js';
import { nodeShouldRunDaemonPod, type NodeFit } from './nodes.js';
import { revisionHashLabel, targetNodeOf } from './pod.js';

export interface DaemonSetInputs {
  nodes: readonly KubeObject[];
  /** Pods this DaemonSet controls. */
  pods: readonly KubeObject[];
  templateSpec: Record<string, unknown>;
  /** The current template's revision hash. */
  hash: string;
  /** spec.updateStrategy.rollingUpdate.maxUnavailable: a count or a percentage of desired nodes. */
  maxUnavailable: number | string;
  onDelete: boolean;
  minReadySeconds: number;
  now: Date;
}

export interface DaemonSetPlan {
  /** Node names that need a daemon pod. */
  create: string[];
  delete: KubeObject[];
}

export interface DaemonSetStatus {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  numberAvailable: number;
  numberUnavailable: number;
  updatedNumberScheduled: number;
  observedGeneration?: number;
}

interface NodeState {
  name: string;
  fit: NodeFit;
  /** Live (not terminating) daemon pods on the node, oldest first. */
  pods: KubeObject[];
}

function nodeStates(inputs: DaemonSetInputs): { nodes: NodeState[]; orphans: KubeObject[] } {
  const podsByNode = new Map<string, KubeObject[]>();
  const orphans: KubeObject[] = [];
  const names = new Set(inputs.nodes.map((n) => n.metadata.name ?? ''));
  for (const pod of inputs.pods) {
    if (isTerminating(pod)) continue;
    const node = targetNodeOf(pod);
    if (node === undefined) continue;
    if (!names.has(node)) {
      orphans.push(pod);
      continue;
    }
    const list = podsByNode.get(node) ?? [];
    list.push(pod);
    podsByNode.set(node, list);
  }
  const byAge = (a: KubeObject, b: KubeObject): number =>
    creationTime(a) - creationTime(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  const nodes = inputs.nodes.map((node) => {
    const name = node.metadata.name ?? '';
    return { name, fit: nodeShouldRunDaemonPod(node, inputs.templateSpec), pods: (podsByNode.get(name) ?? []).sort(byAge) };
  });
  return { nodes, orphans };
}

/** Creates and deletes that put exactly one healthy pod on each node that should run one. */
function planPlacement(nodes: NodeState[], orphans: KubeObject[]): DaemonSetPlan {
  const plan: DaemonSetPlan = { create: [], delete: [...orphans] };
  for (const node of nodes) {
    if (node.fit.shouldRun) {
      const failed = node.pods.filter((p) => podPhase(p) === 'Failed');
      const running = node.pods.filter((p) => !isTerminal(p));
      plan.delete.push(...failed, ...running.slice(1));
      if (running.length === 0) plan.create.push(node.name);
    } else if (!node.fit.shouldContinueRunning) {
      plan.delete.push(...node.pods);
    }
  }
  return plan;
}

/** A count or "N%" of `total`, rounded up (intstr.GetScaledValueFromIntOrPercent). */
export function scaledValue(value: number | string, total: number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+)%$/.exec(value);
  return match ? Math.ceil((Number(match[1]) * total) / 100) : Number(value) || 0;
}

function planRollingUpdate(nodes: NodeState[], inputs: DaemonSetInputs): KubeObject[] {
  const desired = nodes.filter((n) => n.fit.shouldRun);
  const maxUnavailable = scaledValue(inputs.maxUnavailable, desired.length);
  let unavailable = 0;
  const replaceNow: KubeObject[] = [];
  const candidates: KubeObject[] = [];
  for (const node of desired) {
    const pod = node.pods[0];
    const available = pod !== undefined && isPodAvailable(pod, inputs.minReadySeconds, inputs.now);
    if (!pod) unavailable++;
    else if (pod.metadata.labels?.[revisionHashLabel] === inputs.hash) {
      if (!available) unavailable++;
    } else if (!available) {
      // An outdated pod that serves nothing anyway is replaced at once.
      replaceNow.push(pod);
      unavailable++;
    } else if (unavailable < maxUnavailable) {
      candidates.push(pod);
    }
  }
  const room = Math.max(0, Math.min(maxUnavailable - unavailable, candidates.length));
  return [...replaceNow, ...candidates.slice(0, room)];
}

export function planDaemonSet(inputs: DaemonSetInputs): DaemonSetPlan {
  const { nodes, orphans } = nodeStates(inputs);
  const plan = planPlacement(nodes, orphans);
  // Replacements wait until placement is settled, as upstream waits for its expectations.
  if (plan.create.length > 0 || plan.delete.length > 0 || inputs.onDelete) return plan;
  return { create: [], delete: planRollingUpdate(nodes, inputs) };
}

export function computeDaemonSetStatus(inputs: DaemonSetInputs & { generation: number | undefined }): DaemonSetStatus {
  const status: DaemonSetStatus = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    numberUnavailable: 0,
    updatedNumberScheduled: 0,
    observedGeneration: inputs.generation,
  };
  for (const node of nodeStates(inputs).nodes) {
    const pod = node.pods[0];
    if (!node.fit.shouldRun) {
      if (pod) status.numberMisscheduled++;
      continue;
    }
    status.desiredNumberScheduled++;
    if (!pod) continue;
    status.currentNumberScheduled++;
    if (isPodReady(pod)) {
      status.numberReady++;
      if (isPodAvailable(pod, inputs.minReadySeconds, inputs.now)) status.numberAvailable++;
    }
    if (pod.metadata.labels?.[revisionHashLabel] === inputs.hash) status.updatedNumberScheduled++;
  }
  status.numberUnavailable = status.desiredNumberScheduled - status.numberAvailable;
  return status;
}
