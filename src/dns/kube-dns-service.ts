/**
 * The `kube-system/kube-dns` Service that pods' resolv.conf points at (the cluster DNS IP,
 * 10.96.0.10 by default, as kubeadm sets it up), with Endpoints and an EndpointSlice naming
 * the address the DNS server answers on. The Service has no selector because the server is
 * a cluster component, not a pod; its endpoints are written here, the way the API server
 * writes `default/kubernetes`. Server-side apply keeps the three objects as wanted and is
 * harmless to repeat.
 */
import { findResource, type ResourceInfo } from '../api/resources.js';
import type { ApiClient } from '../client/rest.js';
import type { KubeObject } from '../api/types.js';

export interface KubeDnsServiceConfig {
  /** The Service's cluster IP (the `--cluster-dns` address). */
  clusterIP: string;
  /** The address the DNS server is reached at (its endpoint). */
  endpointAddress: string;
  /** The port the DNS server listens on at that address, default 53. */
  port?: number;
}

const FIELD_MANAGER = 'switchboard-dns';
const NAMESPACE = 'kube-system';
const NAME = 'kube-dns';
const labels = { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' };

function resource(plural: string, group = ''): ResourceInfo {
  const r = findResource(group, plural);
  if (!r) throw new Error(`unknown resource ${plural}`);
  return r;
}

export function kubeDnsObjects(c: KubeDnsServiceConfig): { service: KubeObject; endpoints: KubeObject; slice: KubeObject } {
  const port = c.port ?? 53;
  const family = c.endpointAddress.includes(':') ? 'IPv6' : 'IPv4';
  const ports = [
    { name: 'dns', port, protocol: 'UDP' },
    { name: 'dns-tcp', port, protocol: 'TCP' },
  ];
  return {
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: NAME, namespace: NAMESPACE, labels },
      spec: {
        type: 'ClusterIP',
        clusterIP: c.clusterIP,
        clusterIPs: [c.clusterIP],
        ports: ports.map((p) => ({ name: p.name, port: 53, protocol: p.protocol, targetPort: port })),
      },
    },
    endpoints: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: NAME, namespace: NAMESPACE, labels: { ...labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: c.endpointAddress }], ports }],
    },
    slice: {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: NAME,
        namespace: NAMESPACE,
        labels: { ...labels, 'kubernetes.io/service-name': NAME, 'endpointslice.kubernetes.io/managed-by': 'cluster-dns.switchboard.io' },
      },
      addressType: family,
      endpoints: [{ addresses: [c.endpointAddress], conditions: { ready: true, serving: true, terminating: false } }],
      ports,
    },
  };
}

/** Applies the Service, its Endpoints and its EndpointSlice. */
export async function publishKubeDnsService(client: ApiClient, c: KubeDnsServiceConfig): Promise<void> {
  const { service, endpoints, slice } = kubeDnsObjects(c);
  const apply = { fieldManager: FIELD_MANAGER, force: true };
  await client.patch(resource('services'), NAMESPACE, NAME, 'apply', service, apply);
  await client.patch(resource('endpoints'), NAMESPACE, NAME, 'apply', endpoints, apply);
  await client.patch(resource('endpointslices', 'discovery.k8s.io'), NAMESPACE, NAME, 'apply', slice, apply);
}
