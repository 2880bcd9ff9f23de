/**
 * Packing one group of slices (one address type, one port list) with as little churn as
 * possible, as the upstream reconciler does: (1) drop or refresh endpoints in the existing
 * slices, (2) top up the slices already being rewritten, fullest first, (3) put what is left
 * into the unchanged slice that ends closest to full, or create new slices. No rebalancing.
 */
import { endpointChanged, endpointKey } from './endpoint.js';
import { newEndpointSlice, sliceLabels } from './slice-meta.js';
import type { AddressType, Endpoint, EndpointPort, EndpointSlice, Service } from './types.js';

export interface SliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

export interface PackArgs {
  service: Service;
  existing: readonly EndpointSlice[];
  /** Desired endpoints by endpointKey; consumed. */
  desired: Map<string, Endpoint>;
  ports: EndpointPort[];
  addressType: AddressType;
  maxEndpointsPerSlice: number;
  managedBy: string;
}

function copySlice(slice: EndpointSlice, changes: { labels?: Record<string, string>; endpoints?: Endpoint[] }): EndpointSlice {
  return {
    ...slice,
    metadata: { ...slice.metadata, labels: changes.labels ?? slice.metadata.labels },
    endpoints: changes.endpoints ?? [...(slice.endpoints ?? [])],
  };
}

function takeOne(desired: Map<string, Endpoint>): Endpoint {
  const [key, ep] = desired.entries().next().value as [string, Endpoint];
  desired.delete(key);
  return ep;
}

function fill(slice: EndpointSlice, desired: Map<string, Endpoint>, max: number): void {
  while (desired.size > 0 && slice.endpoints.length < max) slice.endpoints.push(takeOne(desired));
}

/** getSliceToFill: the slice that ends up closest to full after taking `count` endpoints. */
function sliceToFill(slices: readonly EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const s of slices) {
    const room = max - (count + s.endpoints.length);
    if (room >= 0 && room < bestRoom) {
      best = s;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}

export function packGroup(args: PackArgs): SliceChanges {
  const { desired, maxEndpointsPerSlice: max } = args;
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete: EndpointSlice[] = [];

  // 1. Keep the endpoints still wanted, refreshed; note which slices changed.
  for (const slice of args.existing) {
    const name = slice.metadata.name ?? '';
    byName.set(name, slice);
    const kept: Endpoint[] = [];
    let endpointUpdated = false;
    for (const ep of slice.endpoints ?? []) {
      const key = endpointKey(ep);
      const want = desired.get(key);
      if (!want) continue;
      kept.push(want);
      if (endpointChanged(want, ep)) endpointUpdated = true;
      desired.delete(key);
    }
    const { labels, changed: labelsChanged } = sliceLabels(slice, args.service, args.managedBy);
    if (endpointUpdated || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) toDelete.push(slice);
      else {
        byName.set(name, copySlice(slice, { labels, endpoints: kept }));
        toUpdate.add(name);
      }
    } else if (labelsChanged) {
      byName.set(name, copySlice(slice, { labels }));
      toUpdate.add(name);
    } else unchanged.add(name);
  }

  // 2. Top up the slices that are being written anyway, fullest first.
  if (desired.size > 0 && toUpdate.size > 0) {
    const slices = [...toUpdate].map((n) => byName.get(n) as EndpointSlice).sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const s of slices) fill(s, desired, max);
  }

  // 3. The rest goes into one unchanged slice if it fits, else into new slices.
  const create: EndpointSlice[] = [];
  while (desired.size > 0) {
    let target: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size > 0) {
      const candidate = sliceToFill([...unchanged].map((n) => byName.get(n) as EndpointSlice), desired.size, max);
      if (candidate) {
        target = copySlice(candidate, {});
        byName.set(candidate.metadata.name ?? '', target);
      }
    }
    target ??= newEndpointSlice({ service: args.service, addressType: args.addressType, ports: args.ports, managedBy: args.managedBy });
    fill(target, desired, max);
    if (target.metadata.name) {
      toUpdate.add(target.metadata.name);
      unchanged.delete(target.metadata.name);
    } else create.push(target);
  }

  return { create, update: [...toUpdate].map((n) => byName.get(n) as EndpointSlice), delete: toDelete };
}
