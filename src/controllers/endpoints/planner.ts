/**
 * The Endpoints planner: the legacy Endpoints object named after a selector Service, with
 * its pods' addresses (ready ones in `addresses`, the rest in `notReadyAddresses`). Pure.
 */
import { hasSelector, isServiceIPSet } from '../endpointslice/pods.js';
import { setTriggerTime } from '../endpointslice/slice-meta.js';
import {
  annotationOverCapacity,
  type EndpointAddress,
  type EndpointPort,
  type Endpoints,
  type EndpointSubset,
  labelHeadless,
  type Pod,
  type Service,
} from '../endpointslice/types.js';
import { buildSubsets, truncateSubsets } from './subsets.js';

export interface EndpointsPlanInput {
  /** Undefined when the Service is gone. */
  service: Service | undefined;
  /** The pods the Service selects. */
  pods: readonly Pod[];
  /** The Endpoints object of the same name, if any. */
  current: Endpoints | undefined;
  triggerTime?: Date;
}

export interface EndpointsPlan {
  create: Endpoints[];
  update: Endpoints[];
  delete: Endpoints[];
}

function desiredLabels(service: Service): Record<string, string> {
  const labels = { ...(service.metadata.labels ?? {}) };
  if (isServiceIPSet(service)) delete labels[labelHeadless];
  else labels[labelHeadless] = '';
  return labels;
}

function sameMap(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = Object.entries(a ?? {});
  return x.length === Object.keys(b ?? {}).length && x.every(([k, v]) => b?.[k] === v);
}

/** Canonical JSON of subsets, ignoring empty lists and the pods' resourceVersions. */
function subsetsText(subsets: readonly EndpointSubset[] | undefined): string {
  const address = (a: EndpointAddress) => [a.ip, a.hostname ?? '', a.nodeName ?? '', a.targetRef?.kind ?? '', a.targetRef?.namespace ?? '', a.targetRef?.name ?? '', a.targetRef?.uid ?? ''];
  const port = (p: EndpointPort) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? ''];
  return JSON.stringify(
    (subsets ?? []).map((s) => [(s.addresses ?? []).map(address), (s.notReadyAddresses ?? []).map(address), (s.ports ?? []).map(port)]),
  );
}

export function planEndpoints(input: EndpointsPlanInput): EndpointsPlan {
  const plan: EndpointsPlan = { create: [], update: [], delete: [] };
  const { service, current } = input;
  if (!service) {
    // Endpoints carry no ownerReference: removing them with their Service is this controller's job.
    if (current) plan.delete.push(current);
    return plan;
  }
  if (service.spec?.type === 'ExternalName' || !hasSelector(service)) return plan;

  const full = buildSubsets(service, input.pods);
  const truncated = truncateSubsets(full);
  const subsets = truncated ?? full;
  const labels = desiredLabels(service);
  const annotations = { ...(current?.metadata.annotations ?? {}) };
  if (truncated) annotations[annotationOverCapacity] = 'truncated';
  else delete annotations[annotationOverCapacity];

  if (
    current &&
    subsetsText(current.subsets) === subsetsText(subsets) &&
    sameMap(current.metadata.labels, labels) &&
    current.metadata.annotations?.[annotationOverCapacity] === annotations[annotationOverCapacity]
  ) {
    return plan;
  }
  const next: Endpoints = current
    ? { ...current, metadata: { ...current.metadata, labels, annotations }, subsets }
    : {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: service.metadata.name, namespace: service.metadata.namespace, labels, annotations },
        subsets,
      };
  setTriggerTime(next, input.triggerTime);
  (current ? plan.update : plan.create).push(next);
  return plan;
}
