/**
 * The service proxy's planner: from Services and EndpointSlices, what one node's dataplane must
 * do. Pure: no I/O, the same input always gives the same plan, so the backends (nftables,
 * userspace) and the trace test share it.
 *
 * Per Service port, as kube-proxy decides it:
 * - which addresses catch traffic: the cluster IPs (not for headless or ExternalName Services),
 *   the NodePort on the node's addresses, externalIPs and LoadBalancer ingress IPs;
 * - which endpoints receive it: ready endpoints; when none is ready, the serving and
 *   terminating ones (separately for the cluster-wide and the node-local sets);
 *   `internalTrafficPolicy: Local` uses the node-local set for cluster-IP traffic,
 *   `externalTrafficPolicy: Local` for NodePort, LoadBalancer and externalIP traffic from
 *   outside the cluster (traffic from pods keeps Cluster semantics);
 * - ClientIP session affinity and its timeout.
 */
import type { KubeObject } from '../api/types.js';
import { isRecord } from '../api/types.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface Endpoint {
  ip: string;
  port: number;
}

export interface ServicePortPlan {
  /** `namespace/name:portName/protocol` (portName may be empty): unique per node plan. */
  id: string;
  namespace: string;
  name: string;
  portName: string;
  protocol: Protocol;
  /** Addresses that are the Service itself (cluster IPs), with `port`. */
  clusterIPs: string[];
  port: number;
  /** On the node's addresses; 0 for none. */
  nodePort: number;
  /** externalIPs and LoadBalancer ingress IPs, with `port`. */
  externalIPs: string[];
  /** For cluster-IP traffic (internalTrafficPolicy applied). */
  internalEndpoints: Endpoint[];
  /** internalTrafficPolicy Local: `internalEndpoints` are this node's only. */
  internalLocal: boolean;
  /** For traffic from inside the cluster to external addresses and NodePorts. */
  clusterEndpoints: Endpoint[];
  /** For NodePort/external traffic from outside the cluster (externalTrafficPolicy applied). */
  externalEndpoints: Endpoint[];
  /** externalTrafficPolicy Local: external traffic keeps its source address (no masquerade). */
  externalLocal: boolean;
  /** ClientIP affinity timeout in seconds; 0 for none. */
  affinitySeconds: number;
}

export interface NodePlan {
  node: string;
  services: ServicePortPlan[];
}

interface SliceEndpoint {
  ip: string;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x !== '') : []);

function protocolOf(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

/** Endpoints of one slice port (by name and protocol), with their conditions. */
function sliceEndpoints(slice: KubeObject, portName: string, protocol: Protocol): { port: number; endpoints: SliceEndpoint[] } | undefined {
  const ports = Array.isArray(slice.ports) ? slice.ports.filter(isRecord) : [];
  const match = ports.find((p) => str(p.name) === portName && protocolOf(p.protocol) === protocol);
  if (!match || num(match.port) <= 0) return undefined;
  if (slice.addressType !== undefined && slice.addressType !== 'IPv4') return undefined;
  const endpoints: SliceEndpoint[] = [];
  for (const e of Array.isArray(slice.endpoints) ? slice.endpoints.filter(isRecord) : []) {
    const cond = isRecord(e.conditions) ? e.conditions : {};
    // Unset conditions: ready means ready, serving follows ready, terminating is false.
    const ready = cond.ready !== false;
    const serving = typeof cond.serving === 'boolean' ? cond.serving : ready;
    const terminating = cond.terminating === true;
    const ip = strings(e.addresses)[0];
    if (!ip) continue;
    endpoints.push({ ip, ready, serving, terminating, ...(typeof e.nodeName === 'string' ? { nodeName: e.nodeName } : {}) });
  }
  return { port: num(match.port), endpoints };
}

/** Ready endpoints, or when none is ready the serving and terminating ones. */
function usable(all: SliceEndpoint[]): SliceEndpoint[] {
  const ready = all.filter((e) => e.ready);
  return ready.length > 0 ? ready : all.filter((e) => e.serving && e.terminating);
}

function toEndpoints(list: (SliceEndpoint & { port: number })[]): Endpoint[] {
  const seen = new Set<string>();
  const out: Endpoint[] = [];
  for (const e of list) {
    const key = `${e.ip}:${e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ ip: e.ip, port: e.port });
  }
  return out.sort((a, b) => (a.ip === b.ip ? a.port - b.port : a.ip < b.ip ? -1 : 1));
}

/** Slices by `namespace/service`. */
export function slicesByService(slices: KubeObject[]): Map<string, KubeObject[]> {
  const out = new Map<string, KubeObject[]>();
  for (const s of slices) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const key = `${s.metadata.namespace ?? 'default'}/${svc}`;
    const list = out.get(key);
    if (list) list.push(s);
    else out.set(key, [s]);
  }
  return out;
}

/** The plan of one Service for one node. */
export function planService(service: KubeObject, slices: KubeObject[], nodeName: string): ServicePortPlan[] {
  const spec = isRecord(service.spec) ? service.spec : {};
  const type = str(spec.type) || 'ClusterIP';
  if (type === 'ExternalName') return [];
  const namespace = service.metadata.namespace ?? 'default';
  const name = service.metadata.name ?? '';
  const clusterIPs = (strings(spec.clusterIPs).length > 0 ? strings(spec.clusterIPs) : strings([spec.clusterIP])).filter((ip) => ip !== 'None' && !ip.includes(':'));
  const status = isRecord(service.status) ? service.status : {};
  const lb = isRecord(status.loadBalancer) ? status.loadBalancer : {};
  // Ingress IPs with ipMode Proxy belong to a load balancer that proxies; host loopback ones are
  // the port publisher's (see publisher.ts): neither is captured here.
  const ingress =
    type === 'LoadBalancer' && Array.isArray(lb.ingress)
      ? lb.ingress.filter((i) => isRecord(i) && i.ipMode !== 'Proxy').map((i) => str((i as Record<string, unknown>).ip)).filter((ip) => ip && !ip.includes(':') && !ip.startsWith('127.'))
      : [];
  const externalIPs = [...new Set([...strings(spec.externalIPs).filter((ip) => !ip.includes(':') && !ip.startsWith('127.')), ...ingress])].sort();
  const hasNodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const externalLocal = (hasNodePorts || externalIPs.length > 0) && spec.externalTrafficPolicy === 'Local';
  const internalLocal = spec.internalTrafficPolicy === 'Local';
  const affinity = spec.sessionAffinity === 'ClientIP';
  const affinityConfig = isRecord(spec.sessionAffinityConfig) && isRecord(spec.sessionAffinityConfig.clientIP) ? spec.sessionAffinityConfig.clientIP : {};
  const affinitySeconds = affinity ? num(affinityConfig.timeoutSeconds) || 10800 : 0;
  if (clusterIPs.length === 0 && externalIPs.length === 0 && !hasNodePorts) return [];

  const plans: ServicePortPlan[] = [];
  for (const p of Array.isArray(spec.ports) ? spec.ports.filter(isRecord) : []) {
    const portName = str(p.name);
    const protocol = protocolOf(p.protocol);
    const port = num(p.port);
    if (port <= 0) continue;
    const all: (SliceEndpoint & { port: number })[] = [];
    for (const slice of slices) {
      const found = sliceEndpoints(slice, portName, protocol);
      if (found) for (const e of found.endpoints) all.push({ ...e, port: found.port });
    }
    const cluster = toEndpoints(usable(all) as (SliceEndpoint & { port: number })[]);
    const local = toEndpoints(usable(all.filter((e) => e.nodeName === nodeName)) as (SliceEndpoint & { port: number })[]);
    plans.push({
      id: `${namespace}/${name}:${portName}/${protocol}`,
      namespace,
      name,
      portName,
      protocol,
      clusterIPs,
      port,
      nodePort: hasNodePorts ? num(p.nodePort) : 0,
      externalIPs,
      internalEndpoints: internalLocal ? local : cluster,
      internalLocal,
      clusterEndpoints: cluster,
      externalEndpoints: externalLocal ? local : cluster,
      externalLocal,
      affinitySeconds,
    });
  }
  return plans;
}

/** The whole plan of one node, in a stable order. */
export function planNode(nodeName: string, services: KubeObject[], slices: KubeObject[]): NodePlan {
  const byService = slicesByService(slices);
  const out: ServicePortPlan[] = [];
  for (const s of services) out.push(...planService(s, byService.get(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`) ?? [], nodeName));
  out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { node: nodeName, services: out };
}
