/** Small factories for the podspec tests. */
import type { KubeObject } from '../../api/types.js';
import type { PodSpecFields, ServicePortFields } from './types.js';

export function newPod(spec: PodSpecFields = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-0', namespace: 'shop', uid: 'uid-1', ...meta },
    spec: { containers: [{ name: 'app' }], ...spec },
  };
}

export function newService(
  name: string,
  spec: { clusterIP?: string; type?: string; ports?: ServicePortFields[] },
  namespace = 'shop',
): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

export function newConfigMap(name: string, data: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop' }, data };
}

export function newSecret(name: string, data: Record<string, string>): KubeObject {
  const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'shop' }, data: encoded };
}
