/**
 * Which nodes a DaemonSet's pod belongs on (upstream NodeShouldRunDaemonPod): the template's
 * nodeName, nodeSelector and required node affinity must match, and the node's taints must
 * be tolerated by the template's tolerations plus those every daemon pod gets.
 *
 * Node readiness counts through taints, as in Kubernetes, where NotReady and unreachable nodes
 * carry `node.kubernetes.io/not-ready` / `unreachable` taints. Since Switchboard's nodes may
 * not carry them yet, a node whose Ready condition is not True is treated as having the
 * NoSchedule one: no new daemon pod goes there, an existing one keeps running.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { type Taint, type Toleration, tolerates } from '../shared/taints.js';

export type { Taint, Toleration };

/** The tolerations upstream adds to every daemon pod (AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const out: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) out.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return out;
}

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function readyStatus(node: KubeObject): string | undefined {
  const status = isRecord(node.status) ? node.status : {};
  const ready = records(status.conditions).find((c) => c.type === 'Ready');
  return typeof ready?.status === 'string' ? ready.status : undefined;
}

/** The node's taints plus those Kubernetes would have put on it for its conditions. */
export function effectiveTaints(node: KubeObject): Taint[] {
  const spec = isRecord(node.spec) ? node.spec : {};
  const taints: Taint[] = records(spec.taints).map((t) => ({
    key: String(t.key ?? ''),
    ...(typeof t.value === 'string' ? { value: t.value } : {}),
    effect: String(t.effect ?? ''),
  }));
  const has = (key: string): boolean => taints.some((t) => t.key === key && t.effect === 'NoSchedule');
  const ready = readyStatus(node);
  if (ready === 'False' && !has('node.kubernetes.io/not-ready')) taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  if (ready !== 'True' && ready !== 'False' && !has('node.kubernetes.io/unreachable')) {
    taints.push({ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' });
  }
  if (spec.unschedulable === true && !has('node.kubernetes.io/unschedulable')) {
    taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
  }
  return taints;
}

function untolerated(taints: Taint[], tolerations: Toleration[], effects: string[]): Taint[] {
  return taints.filter((t) => effects.includes(t.effect) && !tolerations.some((tol) => tolerates(tol, t)));
}

interface SelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

function requirementMatches(req: SelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
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
      const n = Number(value);
      const bound = Number(values[0]);
      if (value === undefined || !Number.isInteger(n) || !Number.isInteger(bound)) return false;
      return req.operator === 'Gt' ? n > bound : n < bound;
    }
    default:
      return false;
  }
}

function requirements(value: unknown): SelectorRequirement[] {
  return records(value).map((r) => ({
    key: String(r.key ?? ''),
    operator: String(r.operator ?? ''),
    values: Array.isArray(r.values) ? r.values.map(String) : [],
  }));
}

/** Required node affinity: any term matches; a term needs all its label and field requirements. */
function matchesNodeAffinity(podSpec: Record<string, unknown>, node: KubeObject): boolean {
  const affinity = isRecord(podSpec.affinity) && isRecord(podSpec.affinity.nodeAffinity) ? podSpec.affinity.nodeAffinity : {};
  const required = affinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!isRecord(required)) return true;
  const labels = node.metadata.labels ?? {};
  return records(required.nodeSelectorTerms).some((term) => {
    const exprs = requirements(term.matchExpressions);
    const fields = requirements(term.matchFields);
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => requirementMatches(r, labels[r.key])) &&
      fields.every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined))
    );
  });
}

export interface NodeFit {
  /** A daemon pod should be created here. */
  shouldRun: boolean;
  /** An existing daemon pod may stay here. */
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(node: KubeObject, podSpec: Record<string, unknown>): NodeFit {
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (typeof podSpec.nodeName === 'string' && podSpec.nodeName && podSpec.nodeName !== node.metadata.name) return no;
  const selector = isRecord(podSpec.nodeSelector) ? podSpec.nodeSelector : {};
  const labels = node.metadata.labels ?? {};
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return no;
  if (!matchesNodeAffinity(podSpec, node)) return no;
  const tolerations: Toleration[] = [...(records(podSpec.tolerations) as Toleration[]), ...daemonTolerations(podSpec.hostNetwork === true)];
  const taints = effectiveTaints(node);
  if (untolerated(taints, tolerations, ['NoSchedule', 'NoExecute']).length === 0) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: untolerated(taints, tolerations, ['NoExecute']).length === 0 };
}
