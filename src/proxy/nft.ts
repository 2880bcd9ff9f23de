/**
 * Renders a node plan as one nftables script: the whole `ip switchboard` table, replaced in a
 * single transaction (`nft -f`), so a change is applied entirely or not at all.
 *
 * Layout (after kube-proxy's nftables mode):
 * - `services` (from the prerouting and output NAT hooks): a verdict map from
 *   address . protocol . port to the Service's entry chain, and one from protocol . port for
 *   NodePorts on the node's own addresses (not 127.0.0.0/8);
 * - `clusterip-*` (cluster IPs) and `external-*` (NodePorts, externalIPs, LoadBalancer IPs)
 *   mark for masquerade where the reply would not come back through this node, then go to a
 *   dispatch chain: `cluster-*` over the cluster-wide endpoints or `local-*` over this node's;
 * - a dispatch chain picks an endpoint: the client's remembered one under ClientIP affinity,
 *   else `numgen random`; each `endpoint-*` chain DNATs (and marks hairpin traffic);
 * - Services with no endpoints are rejected at once (TCP reset, ICMP port unreachable) from the
 *   forward, input and output filter hooks; a `Local` policy with no local endpoint drops.
 */
import { createHash } from 'node:crypto';
import type { Endpoint, NodePlan, ServicePortPlan } from './planner.js';

export const TABLE = 'switchboard';
const MASQ_MARK = '0x4000';

export interface RenderOptions {
  /** Pod addresses (the cluster CIDR): traffic from them is not masqueraded to cluster IPs. */
  clusterCidr: string;
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/** A chain-name suffix that names the Service port readably (nft allows / . - in names). */
function label(sp: ServicePortPlan): string {
  return `${hash(sp.id)}-${sp.namespace}/${sp.name}/${sp.protocol.toLowerCase()}/${sp.portName || sp.port}`;
}

function endpointChain(sp: ServicePortPlan, e: Endpoint): string {
  return `endpoint-${hash(`${sp.id} ${e.ip}:${e.port}`)}-${sp.namespace}/${sp.name}/${sp.protocol.toLowerCase()}/${sp.portName || sp.port}__${e.ip}/${e.port}`;
}

function affinitySet(sp: ServicePortPlan, e: Endpoint): string {
  return `affinity-${hash(`${sp.id} ${e.ip}:${e.port}`)}`;
}

function proto(sp: ServicePortPlan): string {
  return sp.protocol.toLowerCase();
}

class Script {
  readonly lines: string[] = [];
  chain(name: string, body: string[]): void {
    this.lines.push(`  chain ${name} {`, ...body.map((l) => `    ${l}`), '  }');
  }
}

/** The dispatch rules over `endpoints` (affinity first, then a random pick). */
function dispatch(sp: ServicePortPlan, endpoints: Endpoint[]): string[] {
  if (endpoints.length === 0) return ['drop'];
  const rules: string[] = [];
  if (sp.affinitySeconds > 0) for (const e of endpoints) rules.push(`ip saddr @${affinitySet(sp, e)} goto ${endpointChain(sp, e)}`);
  if (endpoints.length === 1) rules.push(`goto ${endpointChain(sp, endpoints[0] as Endpoint)}`);
  else rules.push(`numgen random mod ${endpoints.length} vmap { ${endpoints.map((e, i) => `${i} : goto ${endpointChain(sp, e)}`).join(', ')} }`);
  return rules;
}

export function renderNodePlan(plan: NodePlan, opts: RenderOptions): string {
  const s = new Script();
  const serviceIps: string[] = [];
  const nodePorts: string[] = [];
  const noEndpointServices: string[] = [];
  const noEndpointNodePorts: string[] = [];
  const sets: string[] = [];
  const chains = new Script();

  for (const sp of plan.services) {
    const l = label(sp);
    const p = proto(sp);
    if (sp.clusterEndpoints.length === 0) {
      // Nothing anywhere serves it: refuse at once rather than time out.
      for (const ip of [...sp.clusterIPs, ...sp.externalIPs]) noEndpointServices.push(`${ip} . ${p} . ${sp.port}`);
      if (sp.nodePort > 0) noEndpointNodePorts.push(`${p} . ${sp.nodePort}`);
      continue;
    }
    const needLocal = sp.internalEndpoints !== sp.clusterEndpoints || sp.externalLocal;
    const all = new Map<string, Endpoint>();
    for (const e of [...sp.clusterEndpoints, ...(needLocal ? sp.externalEndpoints : []), ...sp.internalEndpoints]) all.set(`${e.ip}:${e.port}`, e);
    for (const e of all.values()) {
      const rules = [`ip saddr ${e.ip} jump mark-for-masquerade`];
      if (sp.affinitySeconds > 0) {
        sets.push(`  set ${affinitySet(sp, e)} {`, '    type ipv4_addr', '    flags dynamic,timeout', `    timeout ${sp.affinitySeconds}s`, '  }');
        rules.push(`update @${affinitySet(sp, e)} { ip saddr }`);
      }
      rules.push(`meta l4proto ${p} dnat to ${e.ip}:${e.port}`);
      chains.chain(endpointChain(sp, e), rules);
    }
    chains.chain(`cluster-${l}`, dispatch(sp, sp.clusterEndpoints));
    // The node-local set, for a Local policy (internal, external or both).
    const localEndpoints = sp.externalLocal ? sp.externalEndpoints : sp.internalEndpoints;
    if (needLocal) chains.chain(`local-${l}`, dispatch(sp, localEndpoints));
    const internalTarget = sp.internalEndpoints === sp.clusterEndpoints ? `cluster-${l}` : `local-${l}`;
    if (sp.clusterIPs.length > 0) {
      chains.chain(`clusterip-${l}`, [`ip saddr != ${opts.clusterCidr} jump mark-for-masquerade`, `goto ${internalTarget}`]);
      for (const ip of sp.clusterIPs) serviceIps.push(`${ip} . ${p} . ${sp.port} : goto clusterip-${l}`);
    }
    if (sp.nodePort > 0 || sp.externalIPs.length > 0) {
      const rules = sp.externalLocal
        ? [
            // From pods and from the node itself: Cluster semantics; from outside: local endpoints, source kept.
            `ip saddr ${opts.clusterCidr} goto cluster-${l}`,
            'fib saddr type local jump mark-for-masquerade',
            `fib saddr type local goto cluster-${l}`,
            `goto local-${l}`,
          ]
        : ['jump mark-for-masquerade', `goto cluster-${l}`];
      chains.chain(`external-${l}`, rules);
      for (const ip of sp.externalIPs) serviceIps.push(`${ip} . ${p} . ${sp.port} : goto external-${l}`);
      if (sp.nodePort > 0) nodePorts.push(`${p} . ${sp.nodePort} : goto external-${l}`);
    }
  }

  const elements = (list: string[]): string[] => (list.length > 0 ? [`    elements = { ${list.join(',\n                 ')} }`] : []);
  s.lines.push(`add table ip ${TABLE}`, `delete table ip ${TABLE}`, `table ip ${TABLE} {`);
  s.lines.push('  map service-ips {', '    type ipv4_addr . inet_proto . inet_service : verdict', ...elements(serviceIps), '  }');
  s.lines.push('  map service-nodeports {', '    type inet_proto . inet_service : verdict', ...elements(nodePorts), '  }');
  s.lines.push('  set no-endpoint-services {', '    type ipv4_addr . inet_proto . inet_service', ...elements(noEndpointServices), '  }');
  s.lines.push('  set no-endpoint-nodeports {', '    type inet_proto . inet_service', ...elements(noEndpointNodePorts), '  }');
  s.lines.push(...sets);
  s.chain('nat-prerouting', ['type nat hook prerouting priority -100; policy accept;', 'jump services']);
  s.chain('nat-output', ['type nat hook output priority -100; policy accept;', 'jump services']);
  s.chain('nat-postrouting', ['type nat hook postrouting priority 100; policy accept;', `meta mark & ${MASQ_MARK} == ${MASQ_MARK} masquerade`]);
  s.chain('filter-forward', ['type filter hook forward priority 0; policy accept;', 'ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-packet']);
  s.chain('filter-output', ['type filter hook output priority 0; policy accept;', 'ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-packet']);
  s.chain('filter-input', [
    'type filter hook input priority 0; policy accept;',
    'ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-packet',
    'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-packet',
  ]);
  s.chain('reject-packet', ['meta l4proto tcp reject with tcp reset', 'reject']);
  s.chain('mark-for-masquerade', [`meta mark set meta mark | ${MASQ_MARK}`]);
  s.chain('services', [
    'ip daddr . meta l4proto . th dport vmap @service-ips',
    'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
  ]);
  s.lines.push(...chains.lines, '}');
  return `${s.lines.join('\n')}\n`;
}
