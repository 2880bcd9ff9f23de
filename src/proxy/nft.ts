/**
 * The nftables dataplane of one node, after kube-proxy's nftables mode. A plan becomes a model
 * (chains with their rules, map and set elements); the model is rendered either whole (the
 * `ip switchboard` table replaced in one transaction) or as the difference from the model
 * already programmed (only changed chains and elements, also one transaction), so a change to
 * one Service among 10,000 costs about as much as that Service.
 *
 * Layout:
 * - `services` (from the prerouting and output NAT hooks): a verdict map from
 *   address . protocol . port to the Service port's chain, and one from protocol . port for
 *   NodePorts on the node's own addresses (not 127.0.0.0/8);
 * - `svc-*` (cluster IPs): marks for masquerade what comes from outside the pod CIDR, then
 *   picks an endpoint: rule i of n DNATs with probability 1/(n-i), the last always, so each
 *   endpoint gets 1/n (no per-Service anonymous set, which the kernel makes slowly);
 * - `ext-*` (NodePorts, externalIPs, LoadBalancer IPs): Cluster policy masquerades and goes to
 *   `svc-*`; Local policy keeps the source and picks among `local-*` (this node's endpoints),
 *   except for pods and the node itself, which get Cluster semantics;
 * - ClientIP affinity: per-endpoint `ep-*` chains that remember the client in a timed set;
 * - hairpin (an endpoint reaching itself through the Service) is masqueraded from one set of
 *   address pairs; Services without endpoints, and cluster IPs on ports no Service has, are
 *   rejected at once (TCP reset, ICMP port unreachable); Local with no local endpoint drops.
 */
import { createHash } from 'node:crypto';
import type { Endpoint, NodePlan, ServicePortPlan } from './planner.js';

export const TABLE = 'switchboard';
const MASQ_MARK = '0x4000';

export interface RenderOptions {
  /** Pod addresses (the cluster CIDR): traffic from them is not masqueraded to cluster IPs. */
  clusterCidr: string;
}

/** What one node's table holds, apart from its fixed base chains. */
export interface NftModel {
  chains: Map<string, string[]>;
  /** `ip . proto . port` -> verdict */
  serviceIps: Map<string, string>;
  /** `proto . port` -> verdict */
  nodePorts: Map<string, string>;
  noEndpointServices: Set<string>;
  noEndpointNodePorts: Set<string>;
  clusterIps: Set<string>;
  /** `ip . ip` of every endpoint (hairpin). */
  hairpin: Set<string>;
  /** affinity set name -> timeout seconds */
  affinity: Map<string, number>;
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 8).toUpperCase();
}

/** A chain-name suffix that names the Service port readably (nft allows / . - in names). */
function label(sp: ServicePortPlan): string {
  return `${hash(sp.id)}-${sp.namespace}/${sp.name}/${sp.protocol.toLowerCase()}/${sp.portName || sp.port}`;
}

const epKey = (sp: ServicePortPlan, e: Endpoint): string => hash(`${sp.id} ${e.ip}:${e.port}`);

/** Rules that pick one of `endpoints` uniformly: DNAT directly, or go to `ep-*` chains under affinity. */
function pick(sp: ServicePortPlan, endpoints: Endpoint[]): string[] {
  if (endpoints.length === 0) return ['drop'];
  const p = sp.protocol.toLowerCase();
  const target = (e: Endpoint): string => (sp.affinitySeconds > 0 ? `goto ep-${epKey(sp, e)}` : `meta l4proto ${p} dnat to ${e.ip}:${e.port}`);
  const rules: string[] = [];
  if (sp.affinitySeconds > 0) for (const e of endpoints) rules.push(`ip saddr @affinity-${epKey(sp, e)} goto ep-${epKey(sp, e)}`);
  endpoints.forEach((e, i) => {
    const left = endpoints.length - i;
    rules.push(left === 1 ? target(e) : `numgen random mod ${left} == 0 ${target(e)}`);
  });
  return rules;
}

function emptyModel(): NftModel {
  return {
    chains: new Map(),
    serviceIps: new Map(),
    nodePorts: new Map(),
    noEndpointServices: new Set(),
    noEndpointNodePorts: new Set(),
    clusterIps: new Set(),
    hairpin: new Set(),
    affinity: new Map(),
  };
}

function mergeInto(m: NftModel, part: NftModel): void {
  for (const [k, v] of part.chains) m.chains.set(k, v);
  for (const [k, v] of part.serviceIps) m.serviceIps.set(k, v);
  for (const [k, v] of part.nodePorts) m.nodePorts.set(k, v);
  for (const [k, v] of part.affinity) m.affinity.set(k, v);
  for (const e of part.noEndpointServices) m.noEndpointServices.add(e);
  for (const e of part.noEndpointNodePorts) m.noEndpointNodePorts.add(e);
  for (const e of part.clusterIps) m.clusterIps.add(e);
  for (const e of part.hairpin) m.hairpin.add(e);
}

/**
 * The model of a plan. With `cache` (keyed by the plan objects, which the proxy reuses while a
 * Service and its slices are unchanged), each Service port's part is built once.
 */
export function buildModel(plan: NodePlan, opts: RenderOptions, cache?: WeakMap<ServicePortPlan, NftModel>): NftModel {
  const m = emptyModel();
  for (const sp of plan.services) {
    if (!cache) {
      addServicePort(m, sp, opts);
      continue;
    }
    let part = cache.get(sp);
    if (!part) {
      part = emptyModel();
      addServicePort(part, sp, opts);
      cache.set(sp, part);
    }
    mergeInto(m, part);
  }
  return m;
}

function addServicePort(m: NftModel, sp: ServicePortPlan, opts: RenderOptions): void {
  const l = label(sp);
  const p = sp.protocol.toLowerCase();
  for (const ip of sp.clusterIPs) m.clusterIps.add(ip);
  if (sp.clusterEndpoints.length === 0) {
    // Nothing anywhere serves it: refuse at once rather than time out.
    for (const ip of [...sp.clusterIPs, ...sp.externalIPs]) m.noEndpointServices.add(`${ip} . ${p} . ${sp.port}`);
    if (sp.nodePort > 0) m.noEndpointNodePorts.add(`${p} . ${sp.nodePort}`);
    return;
  }
  const all = new Map<string, Endpoint>();
  for (const e of [...sp.clusterEndpoints, ...sp.internalEndpoints, ...sp.externalEndpoints]) all.set(`${e.ip}:${e.port}`, e);
  for (const e of all.values()) {
    m.hairpin.add(`${e.ip} . ${e.ip}`);
    if (sp.affinitySeconds > 0) {
      m.affinity.set(`affinity-${epKey(sp, e)}`, sp.affinitySeconds);
      m.chains.set(`ep-${epKey(sp, e)}`, [`update @affinity-${epKey(sp, e)} { ip saddr }`, `meta l4proto ${p} dnat to ${e.ip}:${e.port}`]);
    }
  }
  const svc = `svc-${l}`;
  const hasExternal = sp.nodePort > 0 || sp.externalIPs.length > 0;
  // Where Cluster-semantics traffic goes: the cluster-IP chain itself, unless that one is Local.
  let cluster = svc;
  if (sp.internalLocal && hasExternal) {
    cluster = `cluster-${l}`;
    m.chains.set(cluster, pick(sp, sp.clusterEndpoints));
  }
  if (sp.clusterIPs.length > 0 || cluster === svc) {
    m.chains.set(svc, [`ip saddr != ${opts.clusterCidr} meta mark set meta mark | ${MASQ_MARK}`, ...pick(sp, sp.internalEndpoints)]);
    for (const ip of sp.clusterIPs) m.serviceIps.set(`${ip} . ${p} . ${sp.port}`, `goto ${svc}`);
  }
  if (hasExternal) {
    m.chains.set(
      `ext-${l}`,
      sp.externalLocal
        ? [`ip saddr ${opts.clusterCidr} goto ${cluster}`, `fib saddr type local meta mark set meta mark | ${MASQ_MARK}`, `fib saddr type local goto ${cluster}`, ...pick(sp, sp.externalEndpoints)]
        : [`meta mark set meta mark | ${MASQ_MARK}`, `goto ${cluster}`],
    );
    for (const ip of sp.externalIPs) m.serviceIps.set(`${ip} . ${p} . ${sp.port}`, `goto ext-${l}`);
    if (sp.nodePort > 0) m.nodePorts.set(`${p} . ${sp.nodePort}`, `goto ext-${l}`);
  }
}

const BASE_CHAINS: [string, string[]][] = [
  ['nat-prerouting', ['type nat hook prerouting priority -100; policy accept;', 'jump services']],
  ['nat-output', ['type nat hook output priority -100; policy accept;', 'jump services']],
  ['nat-postrouting', ['type nat hook postrouting priority 100; policy accept;', `meta mark & ${MASQ_MARK} == ${MASQ_MARK} masquerade`, 'ct status dnat ip saddr . ip daddr @hairpin masquerade']],
  ['filter-forward', ['type filter hook forward priority 0; policy accept;', 'jump reject-services']],
  ['filter-output', ['type filter hook output priority 0; policy accept;', 'jump reject-services']],
  [
    'filter-input',
    ['type filter hook input priority 0; policy accept;', 'jump reject-services', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport @no-endpoint-nodeports goto reject-packet'],
  ],
  // After DNAT (filter hooks run later), a packet still addressed to a cluster IP matched no Service port.
  ['reject-services', ['ip daddr . meta l4proto . th dport @no-endpoint-services goto reject-packet', 'ip daddr @cluster-ips goto reject-packet']],
  ['reject-packet', ['meta l4proto tcp reject with tcp reset', 'reject']],
  ['services', ['ip daddr . meta l4proto . th dport vmap @service-ips', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports']],
];

const SETS: { name: string; kind: 'map' | 'set'; type: string; of: (m: NftModel) => string[] }[] = [
  { name: 'service-ips', kind: 'map', type: 'ipv4_addr . inet_proto . inet_service : verdict', of: (m) => [...m.serviceIps].map(([k, v]) => `${k} : ${v}`) },
  { name: 'service-nodeports', kind: 'map', type: 'inet_proto . inet_service : verdict', of: (m) => [...m.nodePorts].map(([k, v]) => `${k} : ${v}`) },
  { name: 'no-endpoint-services', kind: 'set', type: 'ipv4_addr . inet_proto . inet_service', of: (m) => [...m.noEndpointServices] },
  { name: 'no-endpoint-nodeports', kind: 'set', type: 'inet_proto . inet_service', of: (m) => [...m.noEndpointNodePorts] },
  { name: 'cluster-ips', kind: 'set', type: 'ipv4_addr', of: (m) => [...m.clusterIps] },
  { name: 'hairpin', kind: 'set', type: 'ipv4_addr . ipv4_addr', of: (m) => [...m.hairpin] },
];

/** The whole table, replacing any earlier one, as one transaction. */
export function renderFull(m: NftModel): string {
  const out: string[] = [`add table ip ${TABLE}`, `delete table ip ${TABLE}`, `table ip ${TABLE} {`];
  for (const s of SETS) {
    out.push(`  ${s.kind} ${s.name} {`, `    type ${s.type}`);
    const elements = s.of(m);
    if (elements.length > 0) out.push(`    elements = { ${elements.join(',\n      ')} }`);
    out.push('  }');
  }
  for (const [name, timeout] of m.affinity) out.push(`  set ${name} {`, '    type ipv4_addr', '    flags dynamic,timeout', `    timeout ${timeout}s`, '  }');
  const chain = (name: string, rules: string[]): void => {
    out.push(`  chain ${name} {`);
    for (const r of rules) out.push(`    ${r}`);
    out.push('  }');
  };
  for (const [name, rules] of BASE_CHAINS) chain(name, rules);
  for (const [name, rules] of m.chains) chain(name, rules);
  out.push('}');
  return `${out.join('\n')}\n`;
}

/** Each map's and set's elements of a model, computed once per model (the programmed one is diffed again). */
const elementCache = new WeakMap<NftModel, Set<string>[]>();
function elementsOf(m: NftModel): Set<string>[] {
  let sets = elementCache.get(m);
  if (!sets) {
    sets = SETS.map((s) => new Set(s.of(m)));
    elementCache.set(m, sets);
  }
  return sets;
}

/** The commands that turn table `from` into `to`, as one transaction; '' when they are the same. */
export function renderDiff(from: NftModel, to: NftModel): string {
  const t = `ip ${TABLE}`;
  const out: string[] = [];
  const sameRules = (a: string[] | undefined, b: string[]): boolean => a !== undefined && a.length === b.length && a.every((r, i) => r === b[i]);
  // New chains and sets exist before anything refers to them.
  for (const name of to.chains.keys()) if (!from.chains.has(name)) out.push(`add chain ${t} ${name}`);
  for (const [name, timeout] of to.affinity) if (from.affinity.get(name) !== timeout) {
    if (from.affinity.has(name)) out.push(`delete set ${t} ${name}`);
    out.push(`add set ${t} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`);
  }
  for (const [name, rules] of to.chains) {
    const before = from.chains.get(name);
    if (sameRules(before, rules)) continue;
    if (before) out.push(`flush chain ${t} ${name}`);
    for (const r of rules) out.push(`add rule ${t} ${name} ${r}`);
  }
  for (const [i, s] of SETS.entries()) {
    const a = elementsOf(from)[i] ?? new Set<string>();
    const b = elementsOf(to)[i] ?? new Set<string>();
    // A map key whose verdict changed is deleted, then added again.
    const key = (e: string): string => (s.kind === 'map' ? (e.split(' : ')[0] ?? e) : e);
    const removed = [...a].filter((e) => !b.has(e)).map(key);
    const added = [...b].filter((e) => !a.has(e));
    if (removed.length > 0) out.push(`delete element ${t} ${s.name} { ${removed.join(', ')} }`);
    if (added.length > 0) out.push(`add element ${t} ${s.name} { ${added.join(', ')} }`);
  }
  // Chains and sets no longer used go last, once nothing refers to them.
  const gone = [...from.chains.keys()].filter((name) => !to.chains.has(name));
  for (const name of gone) out.push(`flush chain ${t} ${name}`);
  for (const name of gone) out.push(`delete chain ${t} ${name}`);
  for (const name of from.affinity.keys()) if (!to.affinity.has(name)) out.push(`delete set ${t} ${name}`);
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** The whole table for a plan (as `renderFull(buildModel(...))`). */
export function renderNodePlan(plan: NodePlan, opts: RenderOptions): string {
  return renderFull(buildModel(plan, opts));
}
