/**
 * A Job's pod: the template (whose labels the API server already extended with the job-name
 * and controller-uid labels), the tracking finalizer, and for Indexed Jobs the completion
 * index as annotation, label, hostname and JOB_COMPLETION_INDEX variable, as upstream adds them.
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { controllerRef } from '../shared/pod-state.js';

export const trackingFinalizer = 'batch.kubernetes.io/job-tracking';
export const completionIndexKey = 'batch.kubernetes.io/job-completion-index';

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

function withIndexEnv(containers: unknown): unknown {
  if (!Array.isArray(containers)) return containers;
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${completionIndexKey}']` } } };
  return containers.map((c) => {
    if (!isRecord(c)) return c;
    const existing = Array.isArray(c.env) ? c.env : [];
    if (existing.some((e) => isRecord(e) && e.name === env.name)) return c;
    return { ...c, env: [...existing, env] };
  });
}

export function newJobPod(job: KubeObject, index?: number): KubeObject {
  const jobSpec = isRecord(job.spec) ? job.spec : {};
  const template = isRecord(jobSpec.template) ? jobSpec.template : {};
  const meta = isRecord(template.metadata) ? template.metadata : {};
  const spec: Record<string, unknown> = isRecord(template.spec) ? { ...template.spec } : {};
  const labels = stringMap(meta.labels);
  const annotations = stringMap(meta.annotations);
  const name = job.metadata.name ?? '';
  if (index !== undefined) {
    labels[completionIndexKey] = String(index);
    annotations[completionIndexKey] = String(index);
    if (typeof spec.hostname !== 'string' || !spec.hostname) spec.hostname = `${name}-${index}`;
    spec.containers = withIndexEnv(spec.containers);
    if (spec.initContainers !== undefined) spec.initContainers = withIndexEnv(spec.initContainers);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      finalizers: [trackingFinalizer],
      ownerReferences: [controllerRef(job, 'batch/v1', 'Job')],
    },
    spec,
  };
}

export function completionIndexOf(pod: KubeObject): number | undefined {
  const value = pod.metadata.annotations?.[completionIndexKey] ?? pod.metadata.labels?.[completionIndexKey];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata.finalizers?.includes(trackingFinalizer) ?? false;
}
