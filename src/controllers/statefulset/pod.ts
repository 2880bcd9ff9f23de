/**
 * A StatefulSet's pod for one ordinal: the revision's template plus the pod's stable identity
 * (name, hostname, subdomain of the governing Service, and the labels that name it).
 */
import { isRecord, type KubeObject } from '../../api/types.js';
import { controllerRef } from '../shared/pod-state.js';
import { revisionLabel } from './plan.js';

export const podNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

export function newStatefulSetPod(args: {
  set: KubeObject;
  template: Record<string, unknown>;
  ordinal: number;
  revisionName: string;
  serviceName: string;
}): KubeObject {
  const name = `${args.set.metadata.name ?? ''}-${args.ordinal}`;
  const meta = isRecord(args.template.metadata) ? args.template.metadata : {};
  const spec: Record<string, unknown> = { ...(isRecord(args.template.spec) ? args.template.spec : {}), hostname: name };
  if (args.serviceName) spec.subdomain = args.serviceName;
  const annotations = stringMap(meta.annotations);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: args.set.metadata.namespace,
      labels: {
        ...stringMap(meta.labels),
        [revisionLabel]: args.revisionName,
        [podNameLabel]: name,
        [podIndexLabel]: String(args.ordinal),
      },
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [controllerRef(args.set, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}
