/**
 * apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.
 */

import {
  type Definition,
  type GroupVersionKind,
  LABEL_SELECTOR,
  appsV1,
  atomicList,
  bool,
  coreV1,
  field,
  int32,
  int64,
  intOrString,
  kindObject,
  object,
  ref,
  str,
  time,
} from './dsl.js';
import { conditionsField } from './meta.js';

const gvk = (kind: string): GroupVersionKind => ({ group: 'apps', version: 'v1', kind });

/** A workload kind with spec and status definitions named `<Kind>Spec` / `<Kind>Status`. */
function workload(kind: string, description: string): Definition {
  return kindObject(gvk(kind), appsV1(kind), description, {
    spec: ref(appsV1(`${kind}Spec`), `Desired state of the ${kind}.`),
    status: ref(appsV1(`${kind}Status`), `Observed state of the ${kind}.`),
  });
}

/** The condition type of a workload status: type, status, times, reason, message. */
function workloadCondition(kind: string, withUpdateTime: boolean): Definition {
  return object(appsV1(`${kind}Condition`), `A condition of a ${kind}.`, {
    type: str('Condition type.', { required: true }),
    status: str('`True`, `False` or `Unknown`.', { required: true }),
    ...(withUpdateTime ? { lastUpdateTime: time('When the condition was last updated.') } : {}),
    lastTransitionTime: time('When the status last changed.'),
    reason: str('CamelCase reason.'),
    message: str('Human-readable details.'),
  });
}

const selector = () => ref(LABEL_SELECTOR, 'Labels of the pods it manages; must match the template labels.', { required: true });
const template = (required: boolean) => ref(coreV1('PodTemplateSpec'), 'Pod created for each replica.', { required });
const replicas = () => int32('Number of pods wanted. Default 1.');
const minReadySeconds = () => int32('Seconds a new pod must be ready to count as available. Default 0.');
const revisionHistoryLimit = (d: number) => int32(`Old revisions kept for rollback. Default ${d}.`);

const deploymentSpec = object(appsV1('DeploymentSpec'), 'Desired state of a Deployment.', {
  replicas: replicas(),
  selector: selector(),
  template: template(true),
  strategy: field({ kind: 'ref', name: appsV1('DeploymentStrategy') }, 'How pods are replaced by new ones.', {
    patchStrategy: 'retainKeys',
  }),
  minReadySeconds: minReadySeconds(),
  revisionHistoryLimit: revisionHistoryLimit(10),
  paused: bool('Stop rolling out template changes.'),
  progressDeadlineSeconds: int32('Seconds without progress before the rollout is reported failed. Default 600.'),
});

const deploymentStrategy = object(appsV1('DeploymentStrategy'), 'How a Deployment replaces pods.', {
  type: str('`RollingUpdate` (default) or `Recreate`.'),
  rollingUpdate: ref(appsV1('RollingUpdateDeployment'), 'Settings for `RollingUpdate`.'),
});

const rollingUpdateDeployment = object(appsV1('RollingUpdateDeployment'), 'Limits of a rolling update.', {
  maxUnavailable: intOrString('Pods (or percentage) that may be unavailable during the update. Default 25%.'),
  maxSurge: intOrString('Pods (or percentage) that may exist above the desired count. Default 25%.'),
});

const deploymentStatus = object(appsV1('DeploymentStatus'), 'Observed state of a Deployment.', {
  observedGeneration: int64('Generation last acted on.'),
  replicas: int32('Pods managed, old and new.'),
  updatedReplicas: int32('Pods with the current template.'),
  readyReplicas: int32('Ready pods.'),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
  unavailableReplicas: int32('Pods still needed to reach the desired available count.'),
  terminatingReplicas: int32('Pods being deleted.'),
  conditions: conditionsField('Current conditions: Available, Progressing, ReplicaFailure.', appsV1('DeploymentCondition')),
  collisionCount: int32('Counter used to avoid name collisions of ReplicaSets.'),
});

const replicaSetSpec = object(appsV1('ReplicaSetSpec'), 'Desired state of a ReplicaSet.', {
  replicas: replicas(),
  minReadySeconds: minReadySeconds(),
  selector: selector(),
  template: template(false),
});

const replicaSetStatus = object(appsV1('ReplicaSetStatus'), 'Observed state of a ReplicaSet.', {
  replicas: int32('Current number of pods.', { required: true }),
  fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
  readyReplicas: int32('Ready pods.'),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
  terminatingReplicas: int32('Pods being deleted.'),
  observedGeneration: int64('Generation last acted on.'),
  conditions: conditionsField('Current conditions.', appsV1('ReplicaSetCondition')),
});

const statefulSetSpec = object(appsV1('StatefulSetSpec'), 'Desired state of a StatefulSet.', {
  replicas: replicas(),
  selector: selector(),
  template: template(true),
  volumeClaimTemplates: atomicList(coreV1('PersistentVolumeClaim'), 'Claims created for each pod, named `<claim>-<pod>`.'),
  serviceName: str('Headless Service that gives the pods their DNS names `<pod>.<serviceName>`.'),
  podManagementPolicy: str('`OrderedReady` (default) or `Parallel`.'),
  updateStrategy: ref(appsV1('StatefulSetUpdateStrategy'), 'How pods are replaced when the template changes.'),
  revisionHistoryLimit: revisionHistoryLimit(10),
  minReadySeconds: minReadySeconds(),
  persistentVolumeClaimRetentionPolicy: ref(
    appsV1('StatefulSetPersistentVolumeClaimRetentionPolicy'),
    'Whether claims are kept when the set is deleted or scaled down.',
  ),
  ordinals: ref(appsV1('StatefulSetOrdinals'), 'Numbering of the replicas.'),
});

const statefulSetUpdateStrategy = object(appsV1('StatefulSetUpdateStrategy'), 'How a StatefulSet replaces pods.', {
  type: str('`RollingUpdate` (default) or `OnDelete`.'),
  rollingUpdate: ref(appsV1('RollingUpdateStatefulSetStrategy'), 'Settings for `RollingUpdate`.'),
});

const rollingUpdateStatefulSet = object(appsV1('RollingUpdateStatefulSetStrategy'), 'Limits of a StatefulSet rolling update.', {
  partition: int32('Only pods with an ordinal at or above this are updated.'),
  maxUnavailable: intOrString('Pods that may be unavailable during the update. Default 1.'),
});

const pvcRetention = object(appsV1('StatefulSetPersistentVolumeClaimRetentionPolicy'), 'Claim retention of a StatefulSet.', {
  whenDeleted: str('`Retain` (default) or `Delete`.'),
  whenScaled: str('`Retain` (default) or `Delete`.'),
});

const ordinals = object(appsV1('StatefulSetOrdinals'), 'Replica numbering.', {
  start: int32('Number of the first replica. Default 0.'),
});

const statefulSetStatus = object(appsV1('StatefulSetStatus'), 'Observed state of a StatefulSet.', {
  observedGeneration: int64('Generation last acted on.'),
  replicas: int32('Pods created.', { required: true }),
  readyReplicas: int32('Ready pods.'),
  currentReplicas: int32('Pods at currentRevision.'),
  updatedReplicas: int32('Pods at updateRevision.'),
  currentRevision: str('Revision of the pods before the update.'),
  updateRevision: str('Revision the pods are being updated to.'),
  collisionCount: int32('Counter used to avoid name collisions of revisions.'),
  conditions: conditionsField('Current conditions.', appsV1('StatefulSetCondition')),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
});

const daemonSetSpec = object(appsV1('DaemonSetSpec'), 'Desired state of a DaemonSet.', {
  selector: selector(),
  template: template(true),
  updateStrategy: ref(appsV1('DaemonSetUpdateStrategy'), 'How pods are replaced when the template changes.'),
  minReadySeconds: minReadySeconds(),
  revisionHistoryLimit: revisionHistoryLimit(10),
});

const daemonSetUpdateStrategy = object(appsV1('DaemonSetUpdateStrategy'), 'How a DaemonSet replaces pods.', {
  type: str('`RollingUpdate` (default) or `OnDelete`.'),
  rollingUpdate: ref(appsV1('RollingUpdateDaemonSet'), 'Settings for `RollingUpdate`.'),
});

const rollingUpdateDaemonSet = object(appsV1('RollingUpdateDaemonSet'), 'Limits of a DaemonSet rolling update.', {
  maxUnavailable: intOrString('Nodes (or percentage) whose pod may be unavailable. Default 1.'),
  maxSurge: intOrString('Nodes (or percentage) that may run an extra new pod. Default 0.'),
});

const daemonSetStatus = object(appsV1('DaemonSetStatus'), 'Observed state of a DaemonSet.', {
  currentNumberScheduled: int32('Nodes running a pod that should.', { required: true }),
  numberMisscheduled: int32('Nodes running a pod that should not.', { required: true }),
  desiredNumberScheduled: int32('Nodes that should run a pod.', { required: true }),
  numberReady: int32('Nodes whose pod is ready.', { required: true }),
  observedGeneration: int64('Generation last acted on.'),
  updatedNumberScheduled: int32('Nodes running the current template.'),
  numberAvailable: int32('Nodes whose pod is available.'),
  numberUnavailable: int32('Nodes whose pod is not available.'),
  collisionCount: int32('Counter used to avoid name collisions of revisions.'),
  conditions: conditionsField('Current conditions.', appsV1('DaemonSetCondition')),
});

const controllerRevision = kindObject(
  gvk('ControllerRevision'),
  appsV1('ControllerRevision'),
  'An immutable snapshot of a workload template, used for rollbacks.',
  {
    data: ref('io.k8s.apimachinery.pkg.runtime.RawExtension', 'The saved state.'),
    revision: int64('Revision number.', { required: true }),
  },
);

export const appsDefinitions: Definition[] = [
  workload('Deployment', 'Declarative updates for a set of identical pods, through ReplicaSets.'),
  deploymentSpec,
  deploymentStrategy,
  rollingUpdateDeployment,
  deploymentStatus,
  workloadCondition('Deployment', true),
  workload('ReplicaSet', 'Keeps a number of identical pods running.'),
  replicaSetSpec,
  replicaSetStatus,
  workloadCondition('ReplicaSet', false),
  workload('StatefulSet', 'Pods with stable names, DNS identities and storage, created in order.'),
  statefulSetSpec,
  statefulSetUpdateStrategy,
  rollingUpdateStatefulSet,
  pvcRetention,
  ordinals,
  statefulSetStatus,
  workloadCondition('StatefulSet', false),
  workload('DaemonSet', 'Runs one pod on every (selected) node.'),
  daemonSetSpec,
  daemonSetUpdateStrategy,
  rollingUpdateDaemonSet,
  daemonSetStatus,
  workloadCondition('DaemonSet', false),
  controllerRevision,
];
