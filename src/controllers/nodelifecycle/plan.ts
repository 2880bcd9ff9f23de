/**
 * Node lifecycle decisions for one node at one instant (time is an input, so tests turn it):
 *
 * - a node not heard from (no Lease renewal or status heartbeat) for the grace period gets
 *   Ready=Unknown, "Kubelet stopped posting node status.";
 * - the node's taints follow its Ready condition: Unknown → node.kubernetes.io/unreachable,
 *   False → node.kubernetes.io/not-ready, each NoSchedule and NoExecute; True → neither;
 * - while Ready is not True, the node's pods are marked not ready (their endpoints stop
 *   receiving traffic);
 * - pods are evicted by NoExecute taints they do not tolerate: at once when untolerated, after
 *   the toleration's tolerationSeconds otherwise (never without tolerationSeconds). For the two
 *   taints this controller sets, `evictionTimeoutMs` caps the wait.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { type Taint, type Toleration, tolerates } from '../shared/taints.js';

export const unreachableTaintKey = 'node.kubernetes.io/unreachable';
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';

export type { Taint, Toleration };

export interface NodeLifecycleInput {
  node: KubeObject;
  pods: readonly KubeObject[];
  /** When a heartbeat (Lease renewal, status update) was last observed, in ms. */
  lastHeartbeatMs: number;
  nowMs: number;
  gracePeriodMs: number;
  evictionTimeoutMs: number;
}

export interface NodeLifecyclePlan {
  /** Set the node's conditions to Unknown (it went silent). */
  markUnknown: boolean;
  /** The node's new spec.taints, when they change. */
  taints?: Taint[];
  /** Pods (namespace/name) whose Ready condition must turn False. */
  podsNotReady: string[];
  /** Pods (namespace/name) to delete now. */
  evict: string[];
}

const record = (v: unknown): Record<string, unknown> => (isRecord(v) ? v : {});
const records = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
const podKey = (pod: KubeObject): string => `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;

export function readyCondition(obj: KubeObject): Record<string, unknown> | undefined {
  return records(record(obj.status).conditions).find((c) => c.type === 'Ready');
}

export function planNodeLifecycle(input: NodeLifecycleInput): NodeLifecyclePlan {
  const reported = readyCondition(input.node)?.status;
  const silent = input.nowMs - input.lastHeartbeatMs > input.gracePeriodMs;
  const markUnknown = silent && reported !== 'Unknown';
  const ready = silent ? 'Unknown' : typeof reported === 'string' ? reported : undefined;
  const current = nodeTaints(input.node);
  const desired = desiredTaints(current, ready, input.nowMs);
  const notReady = ready === 'Unknown' || ready === 'False';
  const pods = input.pods.filter((p) => !p.metadata.deletionTimestamp);
  const podsNotReady = notReady ? pods.filter((p) => readyCondition(p)?.status === 'True').map(podKey) : [];
  const evict = pods.filter((p) => evictionDueMs(p, desired, input) <= input.nowMs).map(podKey);
  return { markUnknown, ...(sameTaints(current, desired) ? {} : { taints: desired }), podsNotReady, evict };
}

export function nodeTaints(node: KubeObject): Taint[] {
  return records(record(node.spec).taints).map((t) => ({
    key: String(t.key ?? ''),
    ...(typeof t.value === 'string' ? { value: t.value } : {}),
    effect: String(t.effect ?? ''),
    ...(typeof t.timeAdded === 'string' ? { timeAdded: t.timeAdded } : {}),
  }));
}

function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Other taints kept as they are; ours follow `ready`, keeping the time they were first added. */
function desiredTaints(current: readonly Taint[], ready: string | undefined, nowMs: number): Taint[] {
  const ours = (t: Taint): boolean => (t.key === unreachableTaintKey || t.key === notReadyTaintKey) && (t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (ready === undefined) return [...current];
  const key = ready === 'Unknown' ? unreachableTaintKey : ready === 'False' ? notReadyTaintKey : undefined;
  const kept = current.filter((t) => !ours(t) || t.key === key);
  if (!key) return kept;
  const out = [...kept];
  if (!kept.some((t) => t.key === key && t.effect === 'NoSchedule')) out.push({ key, effect: 'NoSchedule' });
  if (!kept.some((t) => t.key === key && t.effect === 'NoExecute')) out.push({ key, effect: 'NoExecute', timeAdded: rfc3339(nowMs) });
  return out;
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** When the pod must go because of the node's NoExecute taints (Infinity: never). */
export function evictionDueMs(pod: KubeObject, taints: readonly Taint[], input: Pick<NodeLifecycleInput, 'nowMs' | 'evictionTimeoutMs'>): number {
  const tolerations = records(record(pod.spec).tolerations) as Toleration[];
  let due = Infinity;
  for (const taint of taints.filter((t) => t.effect === 'NoExecute')) {
    const matching = tolerations.filter((t) => tolerates(t, taint));
    if (matching.length === 0) return -Infinity;
    // As Kubernetes' taint manager: the shortest bounded toleration counts; none bounded, never.
    const bounded = matching.map((t) => t.tolerationSeconds).filter((s): s is number => typeof s === 'number');
    if (bounded.length === 0) continue;
    const added = taint.timeAdded ? Date.parse(taint.timeAdded) : input.nowMs;
    let waitMs = Math.max(0, Math.min(...bounded)) * 1000;
    if (taint.key === unreachableTaintKey || taint.key === notReadyTaintKey) waitMs = Math.min(waitMs, input.evictionTimeoutMs);
    due = Math.min(due, added + waitMs);
  }
  return due;
}
