/**
 * Defaulting, as Kubernetes applies it on every create and update before validation.
 * `applyDefaults` mutates the object in place. Events, ConfigMaps, ServiceAccounts and
 * Leases have no defaults upstream and pass through untouched.
 *
 * Two steps are not plain defaulting and the API server calls them itself:
 * `defaultJobSelector(job, uid)` at Job create, and `defaultServiceIPFamilies(svc, families)`
 * when it allocates a Service's cluster IPs.
 */
import { type Obj, rec } from '../validation/access.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultNode, defaultSecret } from './core.js';
import { defaultPod } from './pod.js';
import { defaultService } from './service.js';
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultJob,
  defaultReplicaSet,
  defaultReplicationController,
  defaultStatefulSet,
} from './workloads.js';

const defaulters: Record<string, (obj: Obj) => void> = {
  '/Service': defaultService,
  '/Pod': defaultPod,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/Endpoints': defaultEndpoints,
  '/Node': defaultNode,
  '/ReplicationController': defaultReplicationController,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
};

export function applyDefaults(group: string, kind: string, obj: unknown): void {
  const o = rec(obj);
  const defaulter = defaulters[`${group}/${kind}`];
  if (o && defaulter) defaulter(o);
}

export { defaultJobSelector, jobLabels } from './workloads.js';
export { defaultServiceIPFamilies } from './service.js';
export { defaultPullPolicy } from './pod.js';
