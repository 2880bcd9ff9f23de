/**
 * Small factories for Services and EndpointSlices as the API server would serve them, and a
 * fixture cluster shared by the DNS tests.
 */
import type { KubeObject } from '../api/types.js';
import { RecordIndex } from './records.js';

interface PortSpec {
  name?: string;
  port: number;
  protocol?: string;
}

export function service(ns: string, name: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

export function clusterIP(ns: string, name: string, ip: string, ports: PortSpec[] = []): KubeObject {
  return service(ns, name, { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports });
}

export function headless(ns: string, name: string, ports: PortSpec[] = []): KubeObject {
  return service(ns, name, { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports });
}

export function externalName(ns: string, name: string, target: string): KubeObject {
  return service(ns, name, { type: 'ExternalName', externalName: target });
}

export interface EndpointSpec {
  ip: string;
  hostname?: string;
  ready?: boolean;
}

export function slice(ns: string, svc: string, endpoints: EndpointSpec[], ports: PortSpec[] = [], suffix = 'abc'): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: `${svc}-${suffix}`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: endpoints[0]?.ip.includes(':') === true ? 'IPv6' : 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
    })),
    ports,
  };
}

/** The cluster most DNS cases run against. */
export function fixtureIndex(): RecordIndex {
  const index = new RecordIndex({ zone: 'cluster.local', now: () => 1_700_000_000_000 });
  index.setNamespaces(['default', 'example', 'testns', 'kube-system']);
  const objects: KubeObject[] = [
    clusterIP('example', 'backend', '10.96.0.20', [
      { name: 'http', port: 80, protocol: 'TCP' },
      { name: 'metrics', port: 9090, protocol: 'TCP' },
      { port: 7000, protocol: 'TCP' },
    ]),
    slice('example', 'backend', [{ ip: '10.244.1.5' }, { ip: '10.244.1.6', ready: false }], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
    headless('example', 'nginx', [{ name: 'web', port: 80, protocol: 'TCP' }]),
    slice('example', 'nginx', [
      { ip: '10.244.1.10', hostname: 'nginx-0' },
      { ip: '10.244.1.11', hostname: 'nginx-1' },
      { ip: '10.244.1.12', hostname: 'nginx-2', ready: false },
    ], [{ name: 'web', port: 8080, protocol: 'TCP' }]),
    headless('example', 'nohost', [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    slice('example', 'nohost', [{ ip: '10.244.2.7' }], [{ name: 'dns', port: 5353, protocol: 'UDP' }]),
    headless('example', 'empty-headless', [{ name: 'web', port: 80 }]),
    slice('example', 'empty-headless', [{ ip: '10.244.1.20', ready: false }], [{ name: 'web', port: 80 }]),
    externalName('example', 'ext', 'www.example.org'),
    externalName('example', 'ext-internal', 'backend.example.svc.cluster.local.'),
    externalName('example', 'ext-ip', '1.2.3.4'),
    clusterIP('example', 'v6', 'fd00::10', [{ name: 'http', port: 80, protocol: 'TCP' }]),
  ];
  for (const obj of objects) {
    if (obj.kind === 'Service') index.upsertService(obj);
    else index.upsertSlice(obj);
  }
  return index;
}
