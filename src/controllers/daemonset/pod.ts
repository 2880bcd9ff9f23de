/**
 * A DaemonSet's pod for one node. As upstream (1.32), the controller does not set nodeName:
 * it pins the pod to its node with a required node affinity on `metadata.name` and leaves the
 * binding to the scheduler, which then also checks resources and ports.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { controllerRef, podSpec } from '../shared/pod-state.js';
import { daemonTolerations, type Toleration } from './nodes.js';

export const revisionHashLabel = 'controller-revision-hash';
export const templateGenerationLabel = 'pod-template-generation';

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** The template's affinity with its required node affinity replaced by "this node only". */
function pinnedAffinity(affinity: unknown, nodeName: string): Record<string, unknown> {
  const base = isRecord(affinity) ? affinity : {};
  const nodeAffinity = isRecord(base.nodeAffinity) ? base.nodeAffinity : {};
  const required = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] };
  return { ...base, nodeAffinity: { ...nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: required } };
}

/** Adds the daemon tolerations the template does not already have. */
function withDaemonTolerations(spec: Record<string, unknown>): Toleration[] {
  const own = (Array.isArray(spec.tolerations) ? spec.tolerations.filter(isRecord) : []) as Toleration[];
  const extra = daemonTolerations(spec.hostNetwork === true).filter((t) => !own.some((o) => o.key === t.key && o.effect === t.effect));
  return [...own, ...extra];
}

export function newDaemonPod(args: { set: KubeObject; template: Record<string, unknown>; nodeName: string; hash: string }): KubeObject {
  const meta = isRecord(args.template.metadata) ? args.template.metadata : {};
  const spec = isRecord(args.template.spec) ? { ...args.template.spec } : {};
  spec.affinity = pinnedAffinity(spec.affinity, args.nodeName);
  spec.tolerations = withDaemonTolerations(spec);
  const annotations = stringMap(meta.annotations);
  const labels: Record<string, string> = { ...stringMap(meta.labels), [revisionHashLabel]: args.hash };
  if (args.set.metadata.generation !== undefined) labels[templateGenerationLabel] = String(args.set.metadata.generation);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${args.set.metadata.name ?? ''}-`,
      namespace: args.set.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [controllerRef(args.set, 'apps/v1', 'DaemonSet')],
    },
    spec,
  };
}

/** The node a daemon pod is for: its nodeName once bound, else its affinity's node (GetTargetNodeName). */
export function targetNodeOf(pod: KubeObject): string | undefined {
  const spec = podSpec(pod);
  if (typeof spec.nodeName === 'string' && spec.nodeName) return spec.nodeName;
  const affinity = isRecord(spec.affinity) && isRecord(spec.affinity.nodeAffinity) ? spec.affinity.nodeAffinity : {};
  const required = isRecord(affinity.requiredDuringSchedulingIgnoredDuringExecution) ? affinity.requiredDuringSchedulingIgnoredDuringExecution : {};
  for (const term of Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : []) {
    const fields = isRecord(term) && Array.isArray(term.matchFields) ? term.matchFields : [];
    for (const f of fields) {
      if (isRecord(f) && f.key === 'metadata.name' && f.operator === 'In' && Array.isArray(f.values) && f.values.length === 1) {
        return String(f.values[0]);
      }
    }
  }
  return undefined;
}
