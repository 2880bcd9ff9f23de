/** Test support: small factories for Deployments and their ReplicaSets. */
import type { ReplicaSet } from '../../replicaset/types.js';
import type { Deployment, DeploymentStatus, IntOrString } from '../types.js';

export const deploymentUid = 'd-uid';

export function template(image: string) {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } };
}

export function newDeployment(o: {
  replicas?: number;
  image?: string;
  maxSurge?: IntOrString;
  maxUnavailable?: IntOrString;
  recreate?: boolean;
  paused?: boolean;
  generation?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  status?: DeploymentStatus;
  revision?: string;
}): Deployment {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns', uid: deploymentUid, generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'v2'),
      strategy: o.recreate
        ? { type: 'Recreate' }
        : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? 1, maxUnavailable: o.maxUnavailable ?? 0 } },
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      paused: o.paused ?? false,
    },
    status: o.status ?? {},
  };
  if (o.revision) d.metadata.annotations = { 'deployment.kubernetes.io/revision': o.revision };
  return d;
}

export function newReplicaSet(o: {
  name: string;
  image: string;
  replicas: number;
  available?: number;
  statusReplicas?: number;
  revision: number;
  created?: string;
  desired?: number;
  max?: number;
}): ReplicaSet {
  const t = template(o.image);
  const labels = { ...t.metadata.labels, 'pod-template-hash': o.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${o.name}`,
      namespace: 'ns',
      uid: `uid-${o.name}`,
      generation: 1,
      creationTimestamp: o.created ?? `2026-01-01T00:0${o.revision}:00Z`,
      labels,
      annotations: {
        'deployment.kubernetes.io/revision': String(o.revision),
        'deployment.kubernetes.io/desired-replicas': String(o.desired ?? 3),
        'deployment.kubernetes.io/max-replicas': String(o.max ?? 4),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deploymentUid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: o.replicas,
      minReadySeconds: 0,
      selector: { matchLabels: labels },
      template: { ...t, metadata: { labels } },
    },
    status: {
      replicas: o.statusReplicas ?? o.replicas,
      readyReplicas: o.available ?? o.replicas,
      availableReplicas: o.available ?? o.replicas,
      observedGeneration: 1,
    },
  };
}
