/**
 * Which message decodes an object of a given apiVersion and kind, and the merged table of
 * every message Switchboard knows.
 */

import { coreMessages } from './core-messages.js';
import { coordinationMessages, discoveryMessages } from './discovery-messages.js';
import { metaMessages } from './meta-messages.js';
import { podSpecMessages } from './pod-messages.js';
import type { MessageTable } from './schema.js';
import { schedulingMessages } from './scheduling-messages.js';
import { volumeMessages } from './volume-messages.js';
import { appsMessages, batchMessages } from './workload-messages.js';

export const messageTable: MessageTable = {
  ...metaMessages,
  ...coreMessages,
  ...podSpecMessages,
  ...volumeMessages,
  ...schedulingMessages,
  ...appsMessages,
  ...batchMessages,
  ...discoveryMessages,
  ...coordinationMessages,
};

/** `apiVersion/kind` -> root message. */
const rootMessageByKind: Readonly<Record<string, string>> = {
  'v1/Namespace': 'core.Namespace',
  'v1/Service': 'core.Service',
  'v1/ConfigMap': 'core.ConfigMap',
  'v1/Secret': 'core.Secret',
  'v1/ServiceAccount': 'core.ServiceAccount',
  'v1/Endpoints': 'core.Endpoints',
  'v1/Event': 'core.Event',
  'v1/Pod': 'core.Pod',
  'v1/Binding': 'core.Binding',
  'apps/v1/Deployment': 'apps.Deployment',
  'apps/v1/ReplicaSet': 'apps.ReplicaSet',
  'apps/v1/StatefulSet': 'apps.StatefulSet',
  'apps/v1/DaemonSet': 'apps.DaemonSet',
  'batch/v1/Job': 'batch.Job',
  'batch/v1/CronJob': 'batch.CronJob',
  'discovery.k8s.io/v1/EndpointSlice': 'discovery.EndpointSlice',
  'coordination.k8s.io/v1/Lease': 'coordination.Lease',
  'autoscaling/v1/Scale': 'autoscaling.Scale',
  'policy/v1/Eviction': 'policy.Eviction',
};

export function rootMessageFor(apiVersion: string, kind: string): string | undefined {
  // DeleteOptions is registered in every group version, so clients tag it with any of them.
  if (kind === 'DeleteOptions') return 'meta.DeleteOptions';
  return rootMessageByKind[`${apiVersion}/${kind}`];
}

export function supportedKinds(): string[] {
  return [...Object.keys(rootMessageByKind), '*/DeleteOptions'];
}
