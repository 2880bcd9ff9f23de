/** The metadata of the EndpointSlices a Service owns: labels, owner reference, name prefix. */
import type { OwnerReference } from '../../api/types.js';
import { isServiceIPSet } from './pods.js';
import {
  type AddressType,
  annotationTriggerTime,
  type EndpointPort,
  type EndpointSlice,
  labelHeadless,
  labelManagedBy,
  labelServiceName,
  type Service,
} from './types.js';

const reservedLabels = new Set([labelServiceName, labelManagedBy, labelHeadless]);

function withoutReserved(labels: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!reservedLabels.has(k)) out[k] = v;
  return out;
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * A slice's labels: the Service's own labels minus the reserved keys, then the reserved
 * keys as the controller sets them. `changed` says whether the copied Service labels differ
 * from the slice's (as upstream, reserved keys alone do not count as a change).
 */
export function sliceLabels(
  slice: EndpointSlice | undefined,
  service: Service,
  managedBy: string,
): { labels: Record<string, string>; changed: boolean } {
  const labels = withoutReserved(service.metadata.labels);
  const changed = slice !== undefined && !sameMap(withoutReserved(slice.metadata.labels), labels);
  if (!isServiceIPSet(service)) labels[labelHeadless] = '';
  labels[labelServiceName] = service.metadata.name ?? '';
  labels[labelManagedBy] = managedBy;
  return { labels, changed };
}

export function controllerRef(owner: { metadata: { name?: string; uid?: string } }, kind: string, apiVersion = 'v1'): OwnerReference {
  return { apiVersion, kind, name: owner.metadata.name ?? '', uid: owner.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** Whether the slice names this Service (by uid) as an owner. */
export function isOwnedBy(slice: EndpointSlice, service: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some(
    (o) => o.uid === service.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1',
  );
}

/** A new, nameless slice for a Service (the API server completes `generateName`). */
export function newEndpointSlice(args: {
  service: Service;
  addressType: AddressType;
  ports: EndpointPort[];
  managedBy: string;
}): EndpointSlice {
  const { service } = args;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name ?? ''}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(undefined, service, args.managedBy).labels,
      ownerReferences: [controllerRef(service, 'Service')],
    },
    addressType: args.addressType,
    endpoints: [],
    ports: args.ports,
  };
}

/**
 * Go's RFC3339Nano as Kubernetes writes the trigger-time annotation: UTC, fraction without
 * trailing zeros (none at all for whole seconds).
 */
export function formatTriggerTime(date: Date): string {
  return date.toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** Sets the trigger-time annotation, or removes it when there is no new trigger. */
export function setTriggerTime(obj: { metadata: { annotations?: Record<string, string> } }, triggerTime: Date | undefined): void {
  const annotations = { ...(obj.metadata.annotations ?? {}) };
  if (triggerTime) annotations[annotationTriggerTime] = formatTriggerTime(triggerTime);
  else delete annotations[annotationTriggerTime];
  obj.metadata.annotations = annotations;
}
