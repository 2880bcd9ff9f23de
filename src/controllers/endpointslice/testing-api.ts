/** Helpers for the endpoint controllers' integration tests against a real test API server. */
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { ApiClient } from '../../client/rest.js';
import type { ContainerPort, Pod, ServicePort } from './types.js';

export const info = {
  pods: findResource('', 'pods') as ResourceInfo,
  services: findResource('', 'services') as ResourceInfo,
  endpoints: findResource('', 'endpoints') as ResourceInfo,
  nodes: findResource('', 'nodes') as ResourceInfo,
  namespaces: findResource('', 'namespaces') as ResourceInfo,
  endpointslices: findResource('discovery.k8s.io', 'endpointslices') as ResourceInfo,
};

/** Polls until `check` returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function createNamespace(client: ApiClient, name: string): Promise<void> {
  await client.create(info.namespaces, undefined, { metadata: { name } });
}

export async function createNode(client: ApiClient, name: string, zone?: string): Promise<void> {
  await client.create(info.nodes, undefined, { metadata: { name, labels: zone ? { 'topology.kubernetes.io/zone': zone } : {} } });
}

export async function createService(
  client: ApiClient,
  ns: string,
  o: { name: string; selector?: Record<string, string>; ports?: ServicePort[]; labels?: Record<string, string> },
): Promise<KubeObject> {
  return client.create(info.services, ns, {
    metadata: { name: o.name, labels: o.labels },
    spec: { ...(o.selector ? { selector: o.selector } : {}), ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
}

/** Creates a pod and reports it Running with an IP, Ready or not, as a node would. */
export async function createRunningPod(
  client: ApiClient,
  ns: string,
  o: { name: string; ip: string; labels: Record<string, string>; ready?: boolean; node?: string; ports?: ContainerPort[] },
): Promise<Pod> {
  const pod = await client.create<Pod>(info.pods, ns, {
    metadata: { name: o.name, labels: o.labels },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'c', image: 'x', ports: o.ports ?? [] }] },
  });
  return setPodStatus(client, pod, { ip: o.ip, ready: o.ready ?? true });
}

export async function setPodStatus(client: ApiClient, pod: Pod, o: { ip: string; ready: boolean }): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const status = {
    ...pod.status,
    phase: 'Running',
    podIP: o.ip,
    podIPs: [{ ip: o.ip }],
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: now }],
  };
  return client.update<Pod>(info.pods, { ...pod, status }, { subresource: 'status' });
}
