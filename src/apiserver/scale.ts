/** The `scale` subresource: an autoscaling/v1 Scale view of a workload's replicas. */
import { errors } from '../api/status.js';
import type { ResourceInfo } from '../api/resources.js';
import { isRecord, type KubeObject } from '../api/types.js';

function selectorString(obj: KubeObject): string {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const selector = isRecord(spec.selector) ? spec.selector : {};
  const labels = isRecord(selector.matchLabels) ? selector.matchLabels : obj.kind === 'ReplicationController' ? selector : {};
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${String(v)}`)
    .sort()
    .join(',');
}

export function getScale(info: ResourceInfo, obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? obj.spec : {};
  const status = isRecord(obj.status) ? obj.status : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: { replicas: typeof status.replicas === 'number' ? status.replicas : 0, selector: selectorString(obj) },
  };
}

/** A mutation for Registry.update that sets spec.replicas from a Scale (or a patch to one). */
export function scaleMutation(
  info: ResourceInfo,
  body: unknown,
  patch?: (scale: KubeObject, patch: unknown) => KubeObject,
): (current: KubeObject) => KubeObject {
  return (current) => {
    const scale = patch ? patch(getScale(info, current), body) : body;
    if (!isRecord(scale) || !isRecord(scale.spec)) throw errors.badRequest('a Scale object with spec.replicas is required');
    const replicas = scale.spec.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', current.metadata.name ?? '', [
        { type: 'FieldValueInvalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' },
      ]);
    }
    // Only a resourceVersion the client sent pins the write; a patch without one is retried on conflict.
    const sent = isRecord(body) && isRecord(body.metadata) ? body.metadata : {};
    const rv = typeof sent.resourceVersion === 'string' ? sent.resourceVersion : undefined;
    return { ...current, metadata: { ...current.metadata, resourceVersion: rv }, spec: { ...(current.spec as object), replicas } };
  };
}
