/**
 * Where a node's dataplane sends one new connection, evaluated from the plan by the rules the
 * nftables renderer encodes (nft.ts). Pure; tests use it to check Service behaviour in terms of
 * packets, and the userspace backend picks endpoints with `routeConnection`.
 *
 * The rules, in order:
 * - `service-ips`: cluster IPs and external (externalIP, LoadBalancer) IPs with the Service port;
 *   then `service-nodeports`: the NodePort on one of the node's addresses, never on 127.0.0.0/8;
 * - a Service port with no endpoints anywhere is rejected, and so is a cluster IP on a port no
 *   Service port of it has;
 * - cluster IPs: the internal endpoints, masqueraded when the source is outside the cluster CIDR;
 * - external addresses: Cluster policy masquerades and uses every endpoint; Local policy keeps
 *   the source and uses this node's endpoints, except from pods (cluster endpoints, kept) and
 *   from the node itself (cluster endpoints, masqueraded);
 * - an empty endpoint set (a Local policy with none here) drops;
 * - an endpoint reached from its own address (hairpin) is masqueraded.
 */
import type { Endpoint, NodePlan, Protocol, ServicePortPlan } from './planner.js';

export interface TracePacket {
  src: string;
  dst: string;
  protocol: Protocol;
  port: number;
  /** The addresses of the node the packet enters (for NodePorts and local sources). */
  nodeAddresses: string[];
  /** The pod CIDR of the cluster. */
  clusterCidr: string;
  /** Sent by a process of the node itself (its source is a local address). */
  fromNode?: boolean;
}

export type TraceResult =
  /**
   * `endpoints`: those the connection is spread over (ClientIP affinity aside). `masquerade`:
   * the source is rewritten to the node's address; when it is true only because the source is
   * one of several endpoints (hairpin), it holds only for the pick of that endpoint.
   */
  | { verdict: 'dnat'; endpoints: Endpoint[]; masquerade: boolean }
  | { verdict: 'reject' | 'drop' | 'pass' };

function ipv4(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether `ip` is inside `cidr` (IPv4; anything else is outside). */
export function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const a = ipv4(ip);
  const b = ipv4(base);
  const n = Number(bits);
  if (a === undefined || b === undefined || !Number.isInteger(n) || n < 0 || n > 32) return false;
  const size = 2 ** (32 - n);
  return Math.floor(a / size) === Math.floor(b / size);
}

type Entry = { sp: ServicePortPlan; chain: Entrance };

function lookup(plan: NodePlan, p: TracePacket): Entry | undefined {
  const same = plan.services.filter((sp) => sp.protocol === p.protocol);
  for (const sp of same) {
    if (sp.port !== p.port) continue;
    if (sp.clusterIPs.includes(p.dst)) return { sp, chain: 'clusterip' };
    if (sp.externalIPs.includes(p.dst)) return { sp, chain: 'external' };
  }
  if (!p.nodeAddresses.includes(p.dst) || inCidr(p.dst, '127.0.0.0/8')) return undefined;
  const sp = same.find((s) => s.nodePort > 0 && s.nodePort === p.port);
  return sp ? { sp, chain: 'external' } : undefined;
}

/** How a Service port's address was reached: its cluster IP, or an external address or NodePort. */
export type Entrance = 'clusterip' | 'external';

/**
 * The verdict for a new connection that reached `sp` through `entrance` (what the Service
 * port's chains do): reject without endpoints, then the endpoint set the source is entitled to.
 */
export function routeConnection(sp: ServicePortPlan, entrance: Entrance, p: Pick<TracePacket, 'src' | 'nodeAddresses' | 'clusterCidr' | 'fromNode'>): TraceResult {
  if (sp.clusterEndpoints.length === 0) return { verdict: 'reject' };
  const fromPod = inCidr(p.src, p.clusterCidr);
  const fromLocal = p.fromNode === true || p.nodeAddresses.includes(p.src) || inCidr(p.src, '127.0.0.0/8');
  let endpoints: Endpoint[];
  let masquerade: boolean;
  if (entrance === 'clusterip') [endpoints, masquerade] = [sp.internalEndpoints, !fromPod];
  else if (!sp.externalLocal) [endpoints, masquerade] = [sp.clusterEndpoints, true];
  else if (fromPod) [endpoints, masquerade] = [sp.clusterEndpoints, false];
  else if (fromLocal) [endpoints, masquerade] = [sp.clusterEndpoints, true];
  else [endpoints, masquerade] = [sp.externalEndpoints, false];
  if (endpoints.length === 0) return { verdict: 'drop' };
  return { verdict: 'dnat', endpoints, masquerade: masquerade || endpoints.some((e) => e.ip === p.src) };
}

export function tracePacket(plan: NodePlan, p: TracePacket): TraceResult {
  const entry = lookup(plan, p);
  // A cluster IP on a port (or protocol) no Service port has is refused.
  if (!entry) return plan.services.some((sp) => sp.clusterIPs.includes(p.dst)) ? { verdict: 'reject' } : { verdict: 'pass' };
  return routeConnection(entry.sp, entry.chain, p);
}
