/**
 * The EndpointSlice mirroring planner: a selectorless Service's user-made Endpoints become
 * EndpointSlices, one per subset and address family (at most 1000 addresses per subset).
 * Pure; the controller applies the plan.
 */
import type { SliceChanges } from '../endpointslice/pack.js';
import { hasSelector, isIPv6, portsKey } from '../endpointslice/pods.js';
import { controllerRef } from '../endpointslice/slice-meta.js';
import {
  type AddressType,
  annotationLastApplied,
  annotationLeader,
  annotationTriggerTime,
  type Endpoint,
  type EndpointAddress,
  type EndpointPort,
  type Endpoints,
  type EndpointSlice,
  labelManagedBy,
  labelServiceName,
  labelSkipMirror,
  mirroringControllerName,
  type Service,
} from '../endpointslice/types.js';

export const maxEndpointsPerSubset = 1000;

export interface MirroringPlanInput {
  /** The Endpoints of the Service's name, if any. */
  endpoints: Endpoints | undefined;
  service: Service | undefined;
  /** The slices labelled for this Service and managed by the mirroring controller. */
  existingSlices: readonly EndpointSlice[];
}

export interface MirroringPlan extends SliceChanges {
  /** Addresses left out: over the per-subset limit, or not an IP. */
  skippedAddresses: number;
}

/** Endpoints are mirrored unless marked to skip or used for leader election. */
export function shouldMirror(endpoints: Endpoints): boolean {
  return endpoints.metadata.labels?.[labelSkipMirror] !== 'true' && endpoints.metadata.annotations?.[annotationLeader] === undefined;
}

function addressTypeOf(ip: string): AddressType | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return 'IPv4';
  if (isIPv6(ip) && /^[0-9a-fA-F:.]+$/.test(ip)) return 'IPv6';
  return undefined;
}

function toEndpoint(address: EndpointAddress, ready: boolean): Endpoint {
  const ep: Endpoint = { addresses: [address.ip], conditions: { ready } };
  if (address.targetRef) ep.targetRef = address.targetRef;
  if (address.nodeName) ep.nodeName = address.nodeName;
  if (address.hostname) ep.hostname = address.hostname;
  return ep;
}

function toSlicePorts(ports: readonly EndpointPort[] | undefined): EndpointPort[] {
  return (ports ?? []).map((p) => {
    const port: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) port.appProtocol = p.appProtocol;
    return port;
  });
}

interface Group {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Map<string, Endpoint>;
}

function groupKey(addressType: string, ports: readonly EndpointPort[] | null | undefined): string {
  return `${addressType}#${portsKey(ports)}`;
}

function desiredGroups(endpoints: Endpoints): { groups: Map<string, Group>; skipped: number } {
  const groups = new Map<string, Group>();
  let skipped = 0;
  for (const subset of endpoints.subsets ?? []) {
    const ports = toSlicePorts(subset.ports);
    const offered: [EndpointAddress, boolean][] = [
      ...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]),
      ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false]),
    ];
    let added = 0;
    for (const [address, ready] of offered) {
      const addressType = addressTypeOf(address.ip);
      if (added >= maxEndpointsPerSubset || !addressType) {
        skipped++;
        continue;
      }
      const key = groupKey(addressType, ports);
      let group = groups.get(key);
      if (!group) {
        group = { addressType, ports, endpoints: new Map() };
        groups.set(key, group);
      }
      group.endpoints.set(`${address.ip}|${address.targetRef?.uid ?? ''}`, toEndpoint(address, ready));
      added++;
    }
  }
  return { groups, skipped };
}

function mirroredMeta(endpoints: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels = { ...(endpoints.metadata.labels ?? {}) };
  labels[labelServiceName] = endpoints.metadata.name ?? '';
  labels[labelManagedBy] = mirroringControllerName;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(endpoints.metadata.annotations ?? {})) {
    if (k !== annotationTriggerTime && k !== annotationLastApplied) annotations[k] = v;
  }
  return { labels, annotations };
}

function newMirroredSlice(endpoints: Endpoints, group: Group, existing: EndpointSlice | undefined): EndpointSlice {
  const { labels, annotations } = mirroredMeta(endpoints);
  const metadata = existing
    ? { ...existing.metadata, labels, annotations, ownerReferences: [controllerRef(endpoints, 'Endpoints')] }
    : {
        generateName: `${endpoints.metadata.name ?? ''}-`,
        namespace: endpoints.metadata.namespace,
        labels,
        annotations,
        ownerReferences: [controllerRef(endpoints, 'Endpoints')],
      };
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: group.addressType, ports: group.ports, endpoints: [...group.endpoints.values()] };
}

/** Comparable text of a slice's content and metadata (endpoints as a set). */
function sliceText(slice: EndpointSlice): string {
  const sortObj = (m: Record<string, string> | undefined) => Object.entries(m ?? {}).sort();
  const endpoints = (slice.endpoints ?? []).map((e) => JSON.stringify([e.addresses, e.conditions?.ready ?? null, e.hostname ?? '', e.nodeName ?? '', e.targetRef ?? null])).sort();
  const owners = (slice.metadata.ownerReferences ?? []).map((o) => o.uid);
  return JSON.stringify([sortObj(slice.metadata.labels), sortObj(slice.metadata.annotations), toSlicePorts(slice.ports ?? []), endpoints, owners]);
}

export function planMirroredSlices(input: MirroringPlanInput): MirroringPlan {
  const plan: MirroringPlan = { create: [], update: [], delete: [], skippedAddresses: 0 };
  const { endpoints, service } = input;
  if (!service || hasSelector(service) || !endpoints || !shouldMirror(endpoints)) {
    plan.delete.push(...input.existingSlices);
    return plan;
  }
  // Nothing new for a Service on its way out; the garbage collector is at work.
  if (service.metadata.deletionTimestamp) return plan;
  const { groups, skipped } = desiredGroups(endpoints);
  plan.skippedAddresses = skipped;
  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const slice of input.existingSlices) {
    const key = groupKey(slice.addressType, slice.ports);
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), slice]);
  }
  for (const [key, group] of groups) {
    const [first, ...extra] = existingByKey.get(key) ?? [];
    const wanted = newMirroredSlice(endpoints, group, first);
    if (!first) plan.create.push(wanted);
    else if (sliceText(wanted) !== sliceText(first)) plan.update.push(wanted);
    plan.delete.push(...extra);
  }
  for (const [key, slices] of existingByKey) if (!groups.has(key)) plan.delete.push(...slices);
  reuseDeletedSlices(plan);
  return plan;
}

/** Rather than create one slice and delete another of the same family, rewrite the doomed one. */
function reuseDeletedSlices(plan: MirroringPlan): void {
  for (let i = 0; i < plan.create.length; ) {
    const fresh = plan.create[i] as EndpointSlice;
    const j = plan.delete.findIndex((d) => d.addressType === fresh.addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [doomed] = plan.delete.splice(j, 1) as [EndpointSlice];
    const { generateName: _unused, ...meta } = doomed.metadata;
    plan.create.splice(i, 1);
    plan.update.push({ ...fresh, metadata: { ...meta, labels: fresh.metadata.labels, annotations: fresh.metadata.annotations, ownerReferences: fresh.metadata.ownerReferences } });
  }
}
