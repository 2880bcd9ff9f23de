/**
 * The subsets of a legacy Endpoints object: one address per pod and resolved port set,
 * repacked so that addresses offering the same ports share one subset (RepackSubsets), and
 * truncated to 1000 addresses, ready ones first, in proportion to each subset's size.
 */
import { endpointPortsFor, isHeadless, isIPv6, isPodReady, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/pods.js';
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from '../endpointslice/types.js';

export const maxEndpointsCapacity = 1000;

/** podToEndpointAddressForService: the pod's IP of the Service's primary family. */
export function podAddress(service: Service, pod: Pod): EndpointAddress | undefined {
  const family = service.spec?.ipFamilies?.[0];
  const clusterIP = service.spec?.clusterIP ?? '';
  let wantV6: boolean;
  if (family) wantV6 = family === 'IPv6';
  else if (clusterIP && clusterIP !== 'None') wantV6 = isIPv6(clusterIP);
  else wantV6 = isIPv6(podIPs(pod)[0] ?? '');
  const ip = podIPs(pod).find((candidate) => isIPv6(candidate) === wantV6);
  if (!ip) return undefined;
  const address: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  const nodeName = pod.spec?.nodeName;
  if (nodeName) address.nodeName = nodeName;
  if (shouldSetHostname(pod, service)) address.hostname = pod.spec?.hostname;
  return address;
}

interface Offer {
  address: EndpointAddress;
  ready: boolean;
}

function addressKey(a: EndpointAddress): string {
  return `${a.ip}|${a.targetRef?.uid ?? ''}`;
}

function portKey(p: EndpointPort | undefined): string {
  return p ? `${p.name ?? ''}/${p.port ?? ''}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}` : '';
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1;
}

/** For every port (undefined: a headless Service without ports), the addresses offering it. */
function offersByPort(service: Service, pods: readonly Pod[]): Map<string, { port?: EndpointPort; offers: Map<string, Offer> }> {
  const tolerateUnready = service.spec?.publishNotReadyAddresses === true;
  const byPort = new Map<string, { port?: EndpointPort; offers: Map<string, Offer> }>();
  const offer = (port: EndpointPort | undefined, address: EndpointAddress, ready: boolean): void => {
    const key = portKey(port);
    let entry = byPort.get(key);
    if (!entry) {
      entry = { port, offers: new Map() };
      byPort.set(key, entry);
    }
    const existing = entry.offers.get(addressKey(address));
    // As RepackSubsets: an address both ready and not ready for one port counts as ready.
    entry.offers.set(addressKey(address), { address, ready: ready || existing?.ready === true });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const address = podAddress(service, pod);
    if (!address) continue;
    const ready = tolerateUnready || isPodReady(pod);
    if ((service.spec?.ports ?? []).length === 0) {
      if (isHeadless(service)) offer(undefined, address, ready);
      continue;
    }
    for (const port of endpointPortsFor(service, pod)) offer(port, address, ready);
  }
  return byPort;
}

/** The repacked subsets: addresses with identical port sets (and readiness per port) share a subset. */
export function buildSubsets(service: Service, pods: readonly Pod[]): EndpointSubset[] {
  const bySignature = new Map<string, { ports: EndpointPort[]; offers: Offer[] }>();
  for (const { port, offers } of offersByPort(service, pods).values()) {
    const list = [...offers.values()].sort((a, b) => compareAddresses(a.address, b.address));
    const signature = list.map((o) => `${addressKey(o.address)}:${o.ready ? 1 : 0}`).join(',');
    let group = bySignature.get(signature);
    if (!group) {
      group = { ports: [], offers: list };
      bySignature.set(signature, group);
    }
    if (port) group.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const { ports, offers } of bySignature.values()) {
    const subset: EndpointSubset = {};
    const ready = offers.filter((o) => o.ready).map((o) => o.address);
    const notReady = offers.filter((o) => !o.ready).map((o) => o.address);
    if (ready.length > 0) subset.addresses = ready;
    if (notReady.length > 0) subset.notReadyAddresses = notReady;
    if (ports.length > 0) subset.ports = [...ports].sort((a, b) => (portKey(a) < portKey(b) ? -1 : 1));
    subsets.push(subset);
  }
  return subsets.sort((a, b) => (subsetSortKey(a) < subsetSortKey(b) ? -1 : 1));
}

function subsetSortKey(s: EndpointSubset): string {
  const first = s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  return `${(s.ports ?? []).map(portKey).join(',')}#${first?.ip ?? ''}`;
}

export function countAddresses(subsets: readonly EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * truncateEndpoints: keeps at most 1000 addresses. Ready addresses are kept first; the
 * budget is shared among subsets in proportion to their size (rounded up, so the last
 * subset may get less). Returns undefined when nothing needed truncating.
 */
export function truncateSubsets(subsets: readonly EndpointSubset[]): EndpointSubset[] | undefined {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= maxEndpointsCapacity) return undefined;
  const truncateReady = ready > maxEndpointsCapacity;
  const budget = truncateReady ? maxEndpointsCapacity : maxEndpointsCapacity - ready;
  const total = truncateReady ? ready : notReady;
  let left = budget;
  const out: EndpointSubset[] = [];
  for (const s of subsets) {
    const inSubset = (truncateReady ? s.addresses?.length : s.notReadyAddresses?.length) ?? 0;
    const share = Math.min(left, Math.ceil((inSubset / total) * budget));
    const next: EndpointSubset = { ...s };
    if (truncateReady) {
      next.addresses = (s.addresses ?? []).slice(0, share);
      delete next.notReadyAddresses;
      left -= next.addresses.length;
    } else {
      next.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, share);
      left -= next.notReadyAddresses.length;
    }
    if (next.addresses?.length === 0) delete next.addresses;
    if (next.notReadyAddresses?.length === 0) delete next.notReadyAddresses;
    // A subset left with no address at all is invalid; it carries nothing anyway.
    if (next.addresses || next.notReadyAddresses) out.push(next);
  }
  return out;
}
