/**
 * What Kubernetes' endpoint utilities decide about a pod behind a Service: whether it is an
 * endpoint at all, which address and port numbers it offers, and whether it gets a hostname.
 * Shared by the EndpointSlice and Endpoints controllers so both agree.
 */
import type { AddressType, Container, EndpointPort, Pod, PodCondition, Service, ServicePort } from './types.js';

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The pod's Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isPodTerminating(pod: Pod): boolean {
  return pod.metadata.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
}

/**
 * ShouldPodBeInEndpoints: a terminal pod or one without an IP is never an endpoint; a
 * terminating pod is one only when asked (EndpointSlices always ask; Endpoints ask only for
 * publishNotReadyAddresses).
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPs(pod).length === 0) return false;
  if (!includeTerminating && isPodTerminating(pod)) return false;
  return true;
}

/** ShouldSetHostname: the pod names a hostname and lives in this Service's subdomain. */
export function shouldSetHostname(pod: Pod, service: Service): boolean {
  const hostname = pod.spec?.hostname ?? '';
  return hostname.length > 0 && pod.spec?.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace;
}

/** All pod IPs: status.podIPs, or status.podIP when a writer set only that. */
export function podIPs(pod: Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip) => typeof ip === 'string' && ip.length > 0);
  if (ips.length > 0) return ips;
  const ip = pod.status?.podIP;
  return ip ? [ip] : [];
}

export function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The pod's addresses of one family. */
export function podAddresses(pod: Pod, addressType: AddressType): string[] {
  return podIPs(pod).filter((ip) => (addressType === 'IPv6' ? isIPv6(ip) : addressType === 'IPv4' && !isIPv6(ip)));
}

export function isServiceIPSet(service: Service): boolean {
  const ip = service.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

export function isHeadless(service: Service): boolean {
  return service.spec?.clusterIP === 'None';
}

/** A selector that is absent or empty means someone else provides the endpoints. */
export function hasSelector(service: Service): boolean {
  return Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** The address types a Service's slices carry: its ipFamilies, else the family of its clusterIP, else both. */
export function addressTypesOf(service: Service): AddressType[] {
  const fromFamilies = (service.spec?.ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  if (fromFamilies.length > 0) return [...new Set(fromFamilies)];
  if (isServiceIPSet(service)) return [isIPv6(service.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

function namedPortIn(containers: Container[], name: string, protocol: string): number | undefined {
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === name && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/**
 * FindPort: a numeric targetPort is used as is; a named one is looked up in the pod's
 * containers, then its sidecars (init containers with restartPolicy Always). Undefined when
 * the pod has no such port, which leaves that port out for this pod.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = servicePort.protocol ?? 'TCP';
  const found = namedPortIn(pod.spec?.containers ?? [], target, protocol);
  if (found !== undefined) return found;
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return namedPortIn(sidecars, target, protocol);
}

/** The ports a pod offers for a Service, in the Service's order; a headless Service may have none. */
export function endpointPortsFor(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** An order-independent identity of a port list: slices are grouped by it. */
export function portsKey(ports: readonly EndpointPort[] | null | undefined): string {
  return (ports ?? [])
    .map((p) => `${p.name ?? ''}/${p.protocol ?? 'TCP'}/${p.port ?? ''}/${p.appProtocol ?? ''}`)
    .sort()
    .join(',');
}

/** Index values (`namespace/key=value`) of a Service's selector pairs, so a pod finds its Services without a scan. */
export function selectorPairs(service: Service): string[] {
  if (service.spec?.type === 'ExternalName') return [];
  const ns = service.metadata.namespace ?? '';
  return Object.entries(service.spec?.selector ?? {}).map(([k, v]) => `${ns}/${k}=${v}`);
}

export const serviceSelectorIndex = 'endpoints.selector-pairs';

export function selectorMatches(service: Service, labels: Readonly<Record<string, string>> | undefined): boolean {
  const selector = service.spec?.selector ?? {};
  const pairs = Object.entries(selector);
  return pairs.length > 0 && pairs.every(([k, v]) => labels?.[k] === v);
}

function sameIPs(a: Pod, b: Pod): boolean {
  const x = podIPs(a);
  const y = podIPs(b);
  return x.length === y.length && x.every((ip, i) => ip === y[i]);
}

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const x = Object.entries(a ?? {});
  return x.length === Object.keys(b ?? {}).length && x.every(([k, v]) => b?.[k] === v);
}

/**
 * Whether a pod update can change any endpoint (readiness, deletion, IPs, phase, node,
 * hostname) or which Services select it (labels). Other updates are not worth a sync.
 */
export function podUpdateMatters(old: Pod, pod: Pod): boolean {
  return (
    !sameLabels(old.metadata.labels, pod.metadata.labels) ||
    old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    isPodReady(old) !== isPodReady(pod) ||
    old.status?.phase !== pod.status?.phase ||
    !sameIPs(old, pod) ||
    old.spec?.nodeName !== pod.spec?.nodeName ||
    old.spec?.hostname !== pod.spec?.hostname ||
    old.spec?.subdomain !== pod.spec?.subdomain
  );
}

/** The keys of the Services (in the pod's namespace) whose selector matches these labels. */
export function servicesSelecting(
  services: { byIndex(name: string, value: string): Service[] },
  namespace: string,
  labels: Record<string, string> | undefined,
): Set<string> {
  const keys = new Set<string>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const svc of services.byIndex(serviceSelectorIndex, `${namespace}/${k}=${v}`)) {
      if (selectorMatches(svc, labels)) keys.add(`${namespace}/${svc.metadata.name ?? ''}`);
    }
  }
  return keys;
}
