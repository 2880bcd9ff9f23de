/**
 * coordination.k8s.io/v1 Lease (node heartbeats, leader election) and autoscaling/v1 Scale
 * (the scale subresource).
 */

import {
  type Definition,
  autoscalingV1,
  coordinationV1,
  int32,
  kindObject,
  microTime,
  object,
  ref,
  str,
} from './dsl.js';

const lease = kindObject({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, coordinationV1('Lease'), 'A lease held by one holder at a time.', {
  spec: ref(coordinationV1('LeaseSpec'), 'The lease state.'),
});

const leaseSpec = object(coordinationV1('LeaseSpec'), 'State of a lease.', {
  holderIdentity: str('Current holder.'),
  leaseDurationSeconds: int32('Seconds candidates wait after the last renewal before taking over.'),
  acquireTime: microTime('When the current holder acquired the lease.'),
  renewTime: microTime('When the holder last renewed the lease.'),
  leaseTransitions: int32('Times the lease changed holder.'),
  strategy: str('Strategy for picking a leader in coordinated leader election.'),
  preferredHolder: str('Holder that should take over next.'),
});

const scale = kindObject({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, autoscalingV1('Scale'), 'The scale subresource of a workload.', {
  spec: ref(autoscalingV1('ScaleSpec'), 'Desired number of replicas.'),
  status: ref(autoscalingV1('ScaleStatus'), 'Current number of replicas.'),
});

const scaleSpec = object(autoscalingV1('ScaleSpec'), 'Desired scale.', {
  replicas: int32('Number of replicas wanted.'),
});

const scaleStatus = object(autoscalingV1('ScaleStatus'), 'Observed scale.', {
  replicas: int32('Current number of replicas.', { required: true }),
  selector: str('Label selector of the pods, in string form.'),
});

export const coordinationDefinitions: Definition[] = [lease, leaseSpec, scale, scaleSpec, scaleStatus];
