/** Test support: small factories for pods and ReplicaSets. */
import type { OwnerReference } from '../../../api/types.js';
import type { Pod, ReplicaSet } from '../types.js';

export const rsUid = 'rs-uid';

export function newRs(options: { replicas?: number; minReadySeconds?: number; generation?: number; deleting?: boolean; uid?: string; name?: string } = {}): ReplicaSet {
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: options.name ?? 'web', namespace: 'ns', uid: options.uid ?? rsUid, generation: options.generation ?? 1 },
    spec: {
      replicas: options.replicas ?? 3,
      minReadySeconds: options.minReadySeconds ?? 0,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  if (options.deleting) rs.metadata.deletionTimestamp = '2026-01-01T00:00:00Z';
  return rs;
}

export interface PodOptions {
  name: string;
  owner?: string | null;
  labels?: Record<string, string>;
  phase?: string;
  ready?: boolean;
  readySince?: string;
  node?: string;
  created?: string;
  deleting?: boolean;
  restarts?: number;
  cost?: number;
}

export function newPod(o: PodOptions): Pod {
  const owner = o.owner === undefined ? rsUid : o.owner;
  const ownerReferences: OwnerReference[] = owner
    ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: owner, controller: true, blockOwnerDeletion: true }]
    : [];
  const pod: Pod = {
    metadata: {
      name: o.name,
      namespace: 'ns',
      uid: `uid-${o.name}`,
      labels: o.labels ?? { app: 'web', tier: 'front' },
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ownerReferences,
    },
    spec: o.node ? { nodeName: o.node } : {},
    status: {
      phase: o.phase ?? (o.ready ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False', lastTransitionTime: o.readySince ?? '2026-01-01T00:00:00Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
  if (o.deleting) pod.metadata.deletionTimestamp = '2026-01-01T00:10:00Z';
  if (o.cost !== undefined) pod.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) };
  return pod;
}
