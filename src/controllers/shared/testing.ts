/**
 * Test helpers shared by the cluster-wide controllers' integration tests: bounded polling and
 * small valid objects (the API server validates everything it is given).
 */
import type { KubeObject, OwnerReference } from '../../api/types.js';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function ownerRef(owner: KubeObject, opts: { controller?: boolean; block?: boolean } = {}): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? 'v1',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    ...(opts.controller ? { controller: true } : {}),
    ...(opts.block ? { blockOwnerDeletion: true } : {}),
  };
}

export function newPod(name: string, opts: { labels?: Record<string, string>; owners?: OwnerReference[]; spec?: Record<string, unknown> } = {}): KubeObject {
  return {
    metadata: { name, labels: opts.labels ?? { app: 'x' }, ...(opts.owners ? { ownerReferences: opts.owners } : {}) },
    spec: { containers: [{ name: 'c', image: 'x' }], ...opts.spec },
  };
}

export function newReplicaSet(name: string, owners?: OwnerReference[]): KubeObject {
  return {
    metadata: { name, ...(owners ? { ownerReferences: owners } : {}) },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'x' } },
      template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  };
}

export function newDeployment(name: string): KubeObject {
  const rs = newReplicaSet(name);
  return { metadata: { name }, spec: rs.spec };
}

export function newConfigMap(name: string, owners?: OwnerReference[]): KubeObject {
  return { metadata: { name, ...(owners ? { ownerReferences: owners } : {}) }, data: { a: 'b' } };
}
