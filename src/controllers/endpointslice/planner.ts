/**
 * The EndpointSlice planner: from a Service, the pods it selects, the slices it has and the
 * Nodes, the slices to create, update and delete. Pure; the controller applies the plan.
 */
import { endpointKey, podToEndpoint } from './endpoint.js';
import { packGroup, type SliceChanges } from './pack.js';
import { addressTypesOf, endpointPortsFor, hasSelector, portsKey, shouldPodBeInEndpoints } from './pods.js';
import { isOwnedBy, newEndpointSlice, setTriggerTime } from './slice-meta.js';
import {
  type AddressType,
  type Endpoint,
  type EndpointPort,
  type EndpointSlice,
  endpointSliceControllerName,
  type NodeLookup,
  type Pod,
  type Service,
} from './types.js';

export const defaultMaxEndpointsPerSlice = 100;
export const maxMaxEndpointsPerSlice = 1000;

export interface EndpointSlicePlanInput {
  service: Service;
  /** The pods the Service selects (the planner does not match selectors). */
  pods: readonly Pod[];
  /** The slices labelled for this Service and managed by this controller. */
  existingSlices: readonly EndpointSlice[];
  nodes: NodeLookup;
  maxEndpointsPerSlice?: number;
  /** The last-change-trigger-time for written slices; undefined clears it. */
  triggerTime?: Date;
}

export interface EndpointSlicePlan extends SliceChanges {
  /** Nodes named by pods but unknown: those pods were left out; sync again later. */
  missingNodes: string[];
}

interface Group {
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function desiredGroups(input: EndpointSlicePlanInput, addressType: AddressType, missingNodes: Set<string>): Map<string, Group> {
  const { service } = input;
  const groups = new Map<string, Group>();
  for (const pod of input.pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPortsFor(service, pod);
    const key = portsKey(ports);
    let group = groups.get(key);
    if (!group) {
      group = { ports, endpoints: new Map() };
      groups.set(key, group);
    }
    const nodeName = pod.spec?.nodeName ?? '';
    const node = nodeName ? input.nodes.get(nodeName) : undefined;
    // As upstream: a pod on an unknown node is left out (unless the Service publishes
    // not-ready addresses) so a vanished node cannot pin stale endpoints forever.
    if (!node && service.spec?.publishNotReadyAddresses !== true) {
      missingNodes.add(nodeName);
      continue;
    }
    const ep = podToEndpoint(pod, node, service, addressType);
    if (ep.addresses.length > 0) group.endpoints.set(endpointKey(ep), ep);
  }
  return groups;
}

function isEmptyList(list: readonly unknown[] | null | undefined): boolean {
  return (list ?? []).length === 0;
}

/** An existing placeholder that already is what we would create (compares namespace, labels and content). */
function samePlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const a = slice.metadata.labels ?? {};
  const b = placeholder.metadata.labels ?? {};
  return (
    slice.metadata.namespace === placeholder.metadata.namespace &&
    Object.keys(a).length === Object.keys(b).length &&
    Object.entries(a).every(([k, v]) => b[k] === v) &&
    slice.addressType === placeholder.addressType &&
    isEmptyList(slice.endpoints) &&
    isEmptyList(slice.ports)
  );
}

/** finalize: rather than create one slice and delete another, rewrite the doomed one. */
function reuseDeletedSlices(service: Service, changes: SliceChanges): void {
  for (let i = 0; i < changes.delete.length && changes.create.length > 0; ) {
    const doomed = changes.delete[i] as EndpointSlice;
    const fresh = changes.create[changes.create.length - 1] as EndpointSlice;
    if (doomed.addressType !== fresh.addressType || !isOwnedBy(doomed, service)) {
      i++;
      continue;
    }
    const { generateName: _unused, ...meta } = doomed.metadata;
    changes.create.pop();
    changes.delete.splice(i, 1);
    changes.update.push({
      ...fresh,
      metadata: { ...meta, labels: fresh.metadata.labels, ownerReferences: fresh.metadata.ownerReferences, annotations: fresh.metadata.annotations },
    });
  }
}

function planAddressType(input: EndpointSlicePlanInput, addressType: AddressType, existing: EndpointSlice[], missing: Set<string>): SliceChanges {
  const { service } = input;
  const changes: SliceChanges = { create: [], update: [], delete: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  for (const slice of existing) {
    if (!isOwnedBy(slice, service)) {
      changes.delete.push(slice);
      continue;
    }
    const key = portsKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  const max = Math.min(maxMaxEndpointsPerSlice, Math.max(1, input.maxEndpointsPerSlice ?? defaultMaxEndpointsPerSlice));
  const groups = desiredGroups(input, addressType, missing);
  for (const [key, group] of groups) {
    const packed = packGroup({
      service,
      existing: existingByPorts.get(key) ?? [],
      desired: group.endpoints,
      ports: group.ports,
      addressType,
      maxEndpointsPerSlice: max,
      managedBy: endpointSliceControllerName,
    });
    changes.create.push(...packed.create);
    changes.update.push(...packed.update);
    changes.delete.push(...packed.delete);
  }
  for (const [key, slices] of existingByPorts) if (!groups.has(key)) changes.delete.push(...slices);

  // A Service with no endpoints still has one (empty) slice, so watchers see it exists.
  if (existing.length === changes.delete.length && changes.create.length === 0) {
    const placeholder = newEndpointSlice({ service, addressType, ports: [], managedBy: endpointSliceControllerName });
    const only = changes.delete[0];
    if (changes.delete.length === 1 && only && samePlaceholder(only, placeholder)) changes.delete = [];
    else changes.create.push(placeholder);
  }
  reuseDeletedSlices(service, changes);
  return changes;
}

export function planEndpointSlices(input: EndpointSlicePlanInput): EndpointSlicePlan {
  const plan: EndpointSlicePlan = { create: [], update: [], delete: [], missingNodes: [] };
  const { service } = input;
  if (service.spec?.type === 'ExternalName' || !hasSelector(service)) return plan;
  const addressTypes = addressTypesOf(service);
  const byType = new Map<AddressType, EndpointSlice[]>(addressTypes.map((t) => [t, []]));
  for (const slice of input.existingSlices) {
    const list = byType.get(slice.addressType);
    if (list) list.push(slice);
    else plan.delete.push(slice);
  }
  const missing = new Set<string>();
  for (const [addressType, existing] of byType) {
    const changes = planAddressType(input, addressType, existing, missing);
    plan.create.push(...changes.create);
    plan.update.push(...changes.update);
    plan.delete.push(...changes.delete);
  }
  // Don't create slices for a Service being deleted: the garbage collector is removing them.
  if (service.metadata.deletionTimestamp) plan.create = [];
  for (const slice of [...plan.create, ...plan.update]) setTriggerTime(slice, input.triggerTime);
  plan.missingNodes = [...missing];
  return plan;
}
