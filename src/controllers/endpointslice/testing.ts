/** Small factories for the endpoint controllers' tests. */
import type { ContainerPort, EndpointSlice, Node, Pod, Service, ServicePort } from './types.js';

export interface PodOptions {
  name: string;
  namespace?: string;
  ip?: string;
  ready?: boolean;
  terminating?: boolean;
  phase?: string;
  node?: string;
  labels?: Record<string, string>;
  ports?: ContainerPort[];
  hostname?: string;
  subdomain?: string;
  readySince?: string;
}

export function newPod(o: PodOptions): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: o.name,
      namespace: o.namespace ?? 'ns',
      uid: `uid-${o.name}`,
      labels: o.labels ?? { app: 'web' },
      ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      containers: [{ name: 'c', ports: o.ports ?? [] }],
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
    },
  };
}

export interface ServiceOptions {
  name?: string;
  namespace?: string;
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  publishNotReadyAddresses?: boolean;
  labels?: Record<string, string>;
}

export function newService(o: ServiceOptions = {}): Service {
  const name = o.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: o.namespace ?? 'ns', uid: `uid-svc-${name}`, creationTimestamp: '2024-01-01T00:00:00Z', labels: o.labels },
    spec: {
      selector: o.selector === null ? undefined : (o.selector ?? { app: 'web' }),
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      clusterIP: o.clusterIP ?? '10.96.0.10',
      ipFamilies: ['IPv4'],
      ...(o.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    },
  };
}

export function newNodes(...names: string[]): Map<string, Node> {
  return new Map(names.map((n) => [n, { metadata: { name: n, labels: { 'topology.kubernetes.io/zone': `zone-${n}` } } }]));
}

/** Gives planned creates a name and version, as the API server would, so a second plan can start from them. */
export function stored(slices: EndpointSlice[], prefix = 'stored'): EndpointSlice[] {
  return slices.map((s, i) => ({
    ...s,
    metadata: { ...s.metadata, name: s.metadata.name ?? `${prefix}-${i}`, resourceVersion: s.metadata.resourceVersion ?? '1', uid: s.metadata.uid ?? `uid-${prefix}-${i}` },
  }));
}

export function podsNamed(count: number, o: Partial<PodOptions> = {}): Pod[] {
  return Array.from({ length: count }, (_, i) => newPod({ ...o, name: `p${i}`, ip: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}` }));
}
