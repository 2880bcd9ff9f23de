/**
 * Whether a pod may go to a node, in the order of Kubernetes' default filter plugins
 * (NodeUnschedulable, TaintToleration, NodeAffinity); the first that fails gives the node's
 * reason, worded as the scheduler words it.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { type Taint, type Toleration, tolerates } from '../shared/taints.js';

export const reasonUnschedulable = "node(s) were unschedulable";
export const reasonAffinity = "node(s) didn't match Pod's node affinity/selector";

export function record(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export function nodeTaints(node: KubeObject): Taint[] {
  return records(record(node.spec).taints).map((t) => ({ key: String(t.key ?? ''), value: typeof t.value === 'string' ? t.value : undefined, effect: String(t.effect ?? '') }));
}

export function podTolerations(pod: KubeObject): Toleration[] {
  return records(record(pod.spec).tolerations) as Toleration[];
}

/** The node's Ready condition status: 'True', 'False', 'Unknown', or undefined when not reported. */
export function nodeReadyStatus(node: KubeObject): string | undefined {
  const ready = records(record(node.status).conditions).find((c) => c.type === 'Ready');
  return typeof ready?.status === 'string' ? ready.status : undefined;
}

/**
 * The node's taints, plus the one the node lifecycle controller would put on a node that is
 * not Ready, so a not-ready node is refused even before it is tainted.
 */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints = nodeTaints(node);
  const ready = nodeReadyStatus(node);
  if (ready === 'True') return taints;
  const key = ready === 'Unknown' ? 'node.kubernetes.io/unreachable' : 'node.kubernetes.io/not-ready';
  return taints.some((t) => t.key === key) ? taints : [...taints, { key, effect: 'NoSchedule' }];
}

function untoleratedTaint(pod: KubeObject, node: KubeObject): Taint | undefined {
  const tolerations = podTolerations(pod);
  return effectiveTaints(node).find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),
  );
}

function matchesRequirement(requirement: Record<string, unknown>, value: string | undefined): boolean {
  const values = Array.isArray(requirement.values) ? requirement.values.map(String) : [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      const bound = Number(values[0]);
      const n = Number(value);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return requirement.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

/** A node selector term: every expression on labels and every field (metadata.name) must hold; an empty term matches nothing. */
function matchesTerm(term: Record<string, unknown>, node: KubeObject): boolean {
  const expressions = records(term.matchExpressions);
  const fields = records(term.matchFields);
  if (expressions.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  return (
    expressions.every((e) => matchesRequirement(e, labels[String(e.key)])) &&
    fields.every((f) => f.key === 'metadata.name' && matchesRequirement(f, node.metadata.name))
  );
}

export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = record(pod.spec);
  const labels = node.metadata.labels ?? {};
  const selector = record(spec.nodeSelector);
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const required = record(record(record(spec.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  if (!Array.isArray(required.nodeSelectorTerms)) return true;
  return records(required.nodeSelectorTerms).some((term) => matchesTerm(term, node));
}

/** Why the pod cannot go to the node, or undefined if it can. */
export function filterNode(pod: KubeObject, node: KubeObject): string | undefined {
  const unschedulableTaint: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
  if (record(node.spec).unschedulable === true && !podTolerations(pod).some((t) => tolerates(t, unschedulableTaint))) return reasonUnschedulable;
  const taint = untoleratedTaint(pod, node);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (!matchesNodeAffinity(pod, node)) return reasonAffinity;
  return undefined;
}
