/**
 * apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet) and batch/v1 (Job, CronJob)
 * messages. Field numbers from k8s.io/api apps/v1 and batch/v1 generated.proto.
 */

import { always, bool, i32, i64, list, one, ptr, str, type FieldDescriptor, type MessageTable } from './schema.js';

const metadata = one('metadata', 'meta.ObjectMeta');
const selector = (presence: 'pointer' | 'always' = ptr) => one('selector', 'meta.LabelSelector', presence);
const template = one('template', 'core.PodTemplateSpec');

function workload(group: string, kind: string): Record<number, FieldDescriptor> {
  return { 1: metadata, 2: one('spec', `${group}.${kind}Spec`), 3: one('status', `${group}.${kind}Status`) };
}

function conditionFields(lastTransitionTime: number) {
  return {
    1: str('type', always),
    2: str('status', always),
    [lastTransitionTime]: one('lastTransitionTime', 'Time'),
    4: str('reason'),
    5: str('message'),
  };
}

export const appsMessages: MessageTable = {
  'apps.Deployment': workload('apps', 'Deployment'),
  'apps.DeploymentSpec': {
    1: i32('replicas', ptr),
    2: selector(),
    3: template,
    4: one('strategy', 'apps.DeploymentStrategy'),
    5: i32('minReadySeconds'),
    6: i32('revisionHistoryLimit', ptr),
    7: bool('paused'),
    9: i32('progressDeadlineSeconds', ptr),
  },
  'apps.DeploymentStrategy': { 1: str('type'), 2: one('rollingUpdate', 'apps.RollingUpdateDeployment', ptr) },
  'apps.RollingUpdateDeployment': {
    1: one('maxUnavailable', 'IntOrString', ptr),
    2: one('maxSurge', 'IntOrString', ptr),
  },
  'apps.DeploymentStatus': {
    1: i64('observedGeneration'),
    2: i32('replicas'),
    3: i32('updatedReplicas'),
    7: i32('readyReplicas'),
    4: i32('availableReplicas'),
    5: i32('unavailableReplicas'),
    9: i32('terminatingReplicas', ptr),
    6: list('conditions', 'apps.DeploymentCondition'),
    8: i32('collisionCount', ptr),
  },
  'apps.DeploymentCondition': {
    ...conditionFields(7),
    6: one('lastUpdateTime', 'Time'),
  },
  'apps.ReplicaSet': workload('apps', 'ReplicaSet'),
  'apps.ReplicaSetSpec': { 1: i32('replicas', ptr), 4: i32('minReadySeconds'), 2: selector(), 3: template },
  'apps.ReplicaSetStatus': {
    1: i32('replicas', always),
    2: i32('fullyLabeledReplicas'),
    4: i32('readyReplicas'),
    5: i32('availableReplicas'),
    7: i32('terminatingReplicas', ptr),
    3: i64('observedGeneration'),
    6: list('conditions', 'apps.ReplicaSetCondition'),
  },
  'apps.ReplicaSetCondition': conditionFields(3),
  'apps.StatefulSet': workload('apps', 'StatefulSet'),
  'apps.StatefulSetSpec': {
    1: i32('replicas', ptr),
    2: selector(),
    3: template,
    4: list('volumeClaimTemplates', 'core.PersistentVolumeClaim'),
    5: str('serviceName'),
    6: str('podManagementPolicy'),
    7: one('updateStrategy', 'apps.StatefulSetUpdateStrategy'),
    8: i32('revisionHistoryLimit', ptr),
    9: i32('minReadySeconds'),
    10: one('persistentVolumeClaimRetentionPolicy', 'apps.StatefulSetPersistentVolumeClaimRetentionPolicy', ptr),
    11: one('ordinals', 'apps.StatefulSetOrdinals', ptr),
  },
  'apps.StatefulSetUpdateStrategy': {
    1: str('type'),
    2: one('rollingUpdate', 'apps.RollingUpdateStatefulSetStrategy', ptr),
  },
  'apps.RollingUpdateStatefulSetStrategy': {
    1: i32('partition', ptr),
    2: one('maxUnavailable', 'IntOrString', ptr),
  },
  'apps.StatefulSetPersistentVolumeClaimRetentionPolicy': { 1: str('whenDeleted'), 2: str('whenScaled') },
  'apps.StatefulSetOrdinals': { 1: i32('start') },
  'apps.StatefulSetStatus': {
    1: i64('observedGeneration'),
    2: i32('replicas', always),
    3: i32('readyReplicas'),
    4: i32('currentReplicas'),
    5: i32('updatedReplicas'),
    6: str('currentRevision'),
    7: str('updateRevision'),
    9: i32('collisionCount', ptr),
    10: list('conditions', 'apps.StatefulSetCondition'),
    11: i32('availableReplicas'),
  },
  'apps.StatefulSetCondition': conditionFields(3),
  'apps.DaemonSet': workload('apps', 'DaemonSet'),
  'apps.DaemonSetSpec': {
    1: selector(),
    2: template,
    3: one('updateStrategy', 'apps.DaemonSetUpdateStrategy'),
    4: i32('minReadySeconds'),
    6: i32('revisionHistoryLimit', ptr),
  },
  'apps.DaemonSetUpdateStrategy': { 1: str('type'), 2: one('rollingUpdate', 'apps.RollingUpdateDaemonSet', ptr) },
  'apps.RollingUpdateDaemonSet': {
    1: one('maxUnavailable', 'IntOrString', ptr),
    2: one('maxSurge', 'IntOrString', ptr),
  },
  'apps.DaemonSetStatus': {
    1: i32('currentNumberScheduled', always),
    2: i32('numberMisscheduled', always),
    3: i32('desiredNumberScheduled', always),
    4: i32('numberReady', always),
    5: i64('observedGeneration'),
    6: i32('updatedNumberScheduled'),
    7: i32('numberAvailable'),
    8: i32('numberUnavailable'),
    9: i32('collisionCount', ptr),
    10: list('conditions', 'apps.DaemonSetCondition'),
  },
  'apps.DaemonSetCondition': conditionFields(3),
};

export const batchMessages: MessageTable = {
  'batch.Job': workload('batch', 'Job'),
  'batch.JobSpec': {
    1: i32('parallelism', ptr),
    2: i32('completions', ptr),
    3: i64('activeDeadlineSeconds', ptr),
    7: i32('backoffLimit', ptr),
    12: i32('backoffLimitPerIndex', ptr),
    13: i32('maxFailedIndexes', ptr),
    4: selector(),
    5: bool('manualSelector', ptr),
    6: template,
    8: i32('ttlSecondsAfterFinished', ptr),
    9: str('completionMode', ptr),
    10: bool('suspend', ptr),
    14: str('podReplacementPolicy', ptr),
    15: str('managedBy', ptr),
  },
  'batch.JobStatus': {
    1: list('conditions', 'batch.JobCondition'),
    2: one('startTime', 'Time', ptr),
    3: one('completionTime', 'Time', ptr),
    4: i32('active'),
    5: i32('succeeded'),
    6: i32('failed'),
    11: i32('terminating', ptr),
    7: str('completedIndexes'),
    10: str('failedIndexes', ptr),
    8: one('uncountedTerminatedPods', 'batch.UncountedTerminatedPods', ptr),
    9: i32('ready', ptr),
  },
  'batch.UncountedTerminatedPods': { 1: list('succeeded', 'string'), 2: list('failed', 'string') },
  'batch.JobCondition': {
    1: str('type', always),
    2: str('status', always),
    3: one('lastProbeTime', 'Time'),
    4: one('lastTransitionTime', 'Time'),
    5: str('reason'),
    6: str('message'),
  },
  'batch.CronJob': workload('batch', 'CronJob'),
  'batch.CronJobSpec': {
    1: str('schedule', always),
    8: str('timeZone', ptr),
    2: i64('startingDeadlineSeconds', ptr),
    3: str('concurrencyPolicy'),
    4: bool('suspend', ptr),
    5: one('jobTemplate', 'batch.JobTemplateSpec'),
    6: i32('successfulJobsHistoryLimit', ptr),
    7: i32('failedJobsHistoryLimit', ptr),
  },
  'batch.JobTemplateSpec': { 1: metadata, 2: one('spec', 'batch.JobSpec') },
  'batch.CronJobStatus': {
    1: list('active', 'core.ObjectReference'),
    4: one('lastScheduleTime', 'Time', ptr),
    5: one('lastSuccessfulTime', 'Time', ptr),
  },
};
