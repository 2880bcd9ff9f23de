/**
 * Which network tests `switchboard why` makes (pure): DNS questions, probe tries, port and
 * Service connections. The same builders name a test when it is planned and when its result
 * is read back (by `checkKey`). Tests go only to addresses inside the sandbox, from a node's
 * namespace, or to host loopback.
 */
import { findPort, isHeadless, podIPs, selectorMatches } from '../controllers/endpointslice/pods.js';
import { resolveContainerPort } from './why-pods.js';
import { checkKey, HOST, type Check, type WhyContainer, type WhyFacts, type WhyNode, type WhyPod, type WhyServicePort } from './why-types.js';

/** At most this many pods get a port connection each. */
const MAX_PODS_TRIED = 6;

export function serviceFqdn(f: WhyFacts): string {
  return `${f.name}.${f.namespace}.svc.${f.cluster.domain}`;
}

function splitHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(.*):(\d+)$/.exec(address);
  return m?.[1] && m[2] ? { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined;
}

/** The A question for the Service's name, to the loopback cluster DNS. */
export function serviceDnsCheck(f: WhyFacts): Check | undefined {
  const dns = f.cluster.dnsAddress ? splitHostPort(f.cluster.dnsAddress) : undefined;
  return dns ? { kind: 'dns', where: HOST, ...dns, name: serviceFqdn(f) } : undefined;
}

/** The A question for an ExternalName's target: on loopback for cluster names, else from inside the sandbox. */
export function externalTargetCheck(f: WhyFacts): Check | undefined {
  const target = f.service?.spec?.externalName?.replace(/\.$/, '').toLowerCase();
  if (!target) return undefined;
  const dns = f.cluster.dnsAddress ? splitHostPort(f.cluster.dnsAddress) : undefined;
  if (dns && (target === f.cluster.domain || target.endsWith(`.${f.cluster.domain}`))) return { kind: 'dns', where: HOST, ...dns, name: target };
  const netns = realNodes(f)[0]?.netns;
  if (f.cluster.root && netns && f.cluster.clusterDnsIP) return { kind: 'dns', where: netns, host: f.cluster.clusterDnsIP, port: 53, name: target };
  return undefined;
}

export function realNodes(f: WhyFacts): (WhyNode & { netns: string })[] {
  return f.cluster.root ? f.nodes.filter((n): n is WhyNode & { netns: string } => n.netns !== undefined) : [];
}

/** The namespace to test a pod from: its node's, else any real node's. */
export function netnsForPod(f: WhyFacts, pod: WhyPod): string | undefined {
  const nodes = realNodes(f);
  return nodes.find((n) => n.name === pod.spec?.nodeName)?.netns ?? nodes[0]?.netns;
}

export function matchingPods(f: WhyFacts): WhyPod[] {
  const service = f.service;
  return service ? f.pods.filter((p) => selectorMatches(service, p.metadata.labels)) : [];
}

/** Our own try of a container's readiness probe (HTTP or TCP) from the pod's node. */
export function probeCheck(f: WhyFacts, pod: WhyPod, container: WhyContainer): Check | undefined {
  const probe = container.readinessProbe;
  const ip = podIPs(pod)[0];
  const where = netnsForPod(f, pod);
  if (!probe || !ip || !where || pod.status?.phase !== 'Running') return undefined;
  if (probe.httpGet) {
    const port = resolveContainerPort(container, probe.httpGet.port);
    const scheme = probe.httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP';
    return port === undefined ? undefined : { kind: 'http', where, host: ip, port, path: probe.httpGet.path ?? '/', scheme };
  }
  if (probe.tcpSocket) {
    const port = resolveContainerPort(container, probe.tcpSocket.port);
    return port === undefined ? undefined : { kind: 'tcp', where, host: ip, port };
  }
  return undefined;
}

/** Every container of the pod is running (a crash-looping one would make "nothing listens" noise). */
function allRunning(pod: WhyPod): boolean {
  const statuses = pod.status?.containerStatuses ?? [];
  return pod.status?.phase === 'Running' && statuses.length > 0 && statuses.every((s) => s.state?.running !== undefined);
}

/** A TCP connection to each matching pod (with all containers running) on one Service port's target port. */
export function targetPortChecks(f: WhyFacts, sp: WhyServicePort): { pod: WhyPod; port: number; check: Check }[] {
  if ((sp.protocol ?? 'TCP') !== 'TCP') return [];
  const out: { pod: WhyPod; port: number; check: Check }[] = [];
  for (const pod of matchingPods(f)) {
    const ip = podIPs(pod)[0];
    const port = findPort(pod, sp);
    const where = netnsForPod(f, pod);
    if (!ip || port === undefined || !where || !allRunning(pod) || out.length >= MAX_PODS_TRIED) continue;
    out.push({ pod, port, check: { kind: 'tcp', where, host: ip, port } });
  }
  return out;
}

export function clusterIPsOf(f: WhyFacts): string[] {
  const spec = f.service?.spec;
  if (!f.service || !spec || isHeadless(f.service) || spec.type === 'ExternalName') return [];
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None' && !ip.includes(':'));
}

/** From inside one node: each TCP Service port on each cluster IP, and the NodePort on the node's own address. */
export function dataplaneChecks(f: WhyFacts, node: WhyNode & { netns: string }): { what: string; check: Check }[] {
  const out: { what: string; check: Check }[] = [];
  for (const sp of f.service?.spec?.ports ?? []) {
    if ((sp.protocol ?? 'TCP') !== 'TCP') continue;
    for (const ip of clusterIPsOf(f)) out.push({ what: 'cluster IP', check: { kind: 'tcp', where: node.netns, host: ip, port: sp.port } });
    if (sp.nodePort && node.address) out.push({ what: 'NodePort', check: { kind: 'tcp', where: node.netns, host: node.address, port: sp.nodePort } });
  }
  return out;
}

/** Host loopback only: the NodePort where a user would try it, and LoadBalancer EXTERNAL-IPs published on loopback. */
export function hostChecks(f: WhyFacts): { what: string; check: Check }[] {
  const out: { what: string; check: Check }[] = [];
  const ingress = (f.service?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip && ip.startsWith('127.'));
  for (const sp of f.service?.spec?.ports ?? []) {
    if ((sp.protocol ?? 'TCP') !== 'TCP') continue;
    if (sp.nodePort) out.push({ what: 'NodePort', check: { kind: 'tcp', where: HOST, host: f.cluster.nodePortAddress ?? '127.0.0.1', port: sp.nodePort } });
    for (const ip of ingress) out.push({ what: 'LoadBalancer', check: { kind: 'tcp', where: HOST, host: ip, port: sp.port } });
  }
  return out;
}

/** A selectorless Service's hand-written addresses that are in the sandbox (pod or node addresses). */
export function selectorlessChecks(f: WhyFacts): { address: string; port: number; check: Check }[] {
  const where = realNodes(f)[0]?.netns;
  if (!where) return [];
  const known = new Set([...f.pods.flatMap((p) => podIPs(p)), ...f.nodes.map((n) => n.address ?? '')]);
  const out: { address: string; port: number; check: Check }[] = [];
  for (const subset of f.endpoints?.subsets ?? []) {
    for (const a of subset.addresses ?? []) {
      for (const p of subset.ports ?? []) {
        if (!known.has(a.ip) || p.port === undefined || (p.protocol ?? 'TCP') !== 'TCP') continue;
        out.push({ address: a.ip, port: p.port, check: { kind: 'tcp', where, host: a.ip, port: p.port } });
      }
    }
  }
  return out.slice(0, MAX_PODS_TRIED);
}

/** Every test `why` makes for these facts, without duplicates. */
export function plannedChecks(f: WhyFacts): Check[] {
  if (!f.service) return [];
  const checks: (Check | undefined)[] = [serviceDnsCheck(f)];
  if (f.service.spec?.type === 'ExternalName') {
    checks.push(externalTargetCheck(f));
  } else {
    for (const pod of matchingPods(f)) {
      // A readiness probe is tried only where the container runs but is not ready.
      const tryable = new Set((pod.status?.containerStatuses ?? []).filter((s) => !s.ready && s.state?.running).map((s) => s.name));
      for (const c of pod.spec?.containers ?? []) if (tryable.has(c.name)) checks.push(probeCheck(f, pod, c));
    }
    for (const sp of f.service.spec?.ports ?? []) checks.push(...targetPortChecks(f, sp).map((x) => x.check));
    checks.push(...selectorlessChecks(f).map((x) => x.check));
    for (const node of realNodes(f)) checks.push(...dataplaneChecks(f, node).map((x) => x.check));
    checks.push(...hostChecks(f).map((x) => x.check));
  }
  const byKey = new Map<string, Check>();
  for (const c of checks) if (c) byKey.set(checkKey(c), c);
  return [...byKey.values()];
}
