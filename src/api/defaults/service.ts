/** Service defaulting (core/v1 SetDefaults_Service), plus the ipFamily hook the API server calls. */
import { type Obj, ensure, list, rec, records, setIfAbsent } from '../validation/access.js';

export const defaultClientIPAffinitySeconds = 10800;

export function defaultService(svc: Obj): void {
  const spec = ensure(svc, 'spec');
  setIfAbsent(spec, 'sessionAffinity', 'None');
  setIfAbsent(spec, 'type', 'ClusterIP');
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ensure(ensure(spec, 'sessionAffinityConfig'), 'clientIP');
    setIfAbsent(clientIP, 'timeoutSeconds', defaultClientIPAffinitySeconds);
  }
  for (const [, port] of records(spec.ports)) {
    setIfAbsent(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = port.port;
    }
  }
  const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || list(spec.externalIPs).length > 0;
  if (externallyAccessible) setIfAbsent(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type !== 'ExternalName') setIfAbsent(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setIfAbsent(spec, 'allocateLoadBalancerNodePorts', true);
  defaultLoadBalancerIngress(svc);
}

function defaultLoadBalancerIngress(svc: Obj): void {
  const ingress = records(rec(rec(svc.status)?.loadBalancer)?.ingress);
  for (const [, entry] of ingress) if (entry.ip) setIfAbsent(entry, 'ipMode', 'VIP');
}

/**
 * Hook for the API server at allocation time (Kubernetes does this in the Service REST
 * storage, not in defaulting): sets ipFamilyPolicy and ipFamilies from the cluster's
 * service CIDRs, or clears them for ExternalName. On a single-stack IPv4 cluster that is
 * SingleStack / [IPv4]; a family inferred from a requested clusterIP wins.
 */
export function defaultServiceIPFamilies(svc: Obj, clusterFamilies: ReadonlyArray<'IPv4' | 'IPv6'> = ['IPv4']): void {
  const spec = ensure(svc, 'spec');
  if (spec.type === 'ExternalName') return;
  setIfAbsent(spec, 'ipFamilyPolicy', 'SingleStack');
  if (list(spec.ipFamilies).length > 0) return;
  const clusterIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  const requested = clusterIP && clusterIP !== 'None' ? (clusterIP.includes(':') ? 'IPv6' : 'IPv4') : undefined;
  const primary = requested ?? clusterFamilies[0] ?? 'IPv4';
  const families = [primary];
  const secondary = clusterFamilies.find((f) => f !== primary);
  if (spec.ipFamilyPolicy !== 'SingleStack' && secondary) families.push(secondary);
  spec.ipFamilies = families;
}
