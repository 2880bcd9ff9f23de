/**
 * batch/v1 Job.
 */

import {
  type Definition,
  LABEL_SELECTOR,
  batchV1,
  bool,
  coreV1,
  field,
  free,
  int32,
  int64,
  kindObject,
  object,
  ref,
  str,
  t,
  time,
} from './dsl.js';

const job = kindObject({ group: 'batch', version: 'v1', kind: 'Job' }, batchV1('Job'), 'Runs pods until a number of them complete successfully.', {
  spec: ref(batchV1('JobSpec'), 'Desired behaviour of the Job.'),
  status: ref(batchV1('JobStatus'), 'Observed state of the Job.'),
});

const jobSpec = object(batchV1('JobSpec'), 'Desired behaviour of a Job.', {
  parallelism: int32('Most pods running at once. Default 1.'),
  completions: int32('Successful pods needed. Default 1.'),
  activeDeadlineSeconds: int64('Seconds the Job may run before it is failed.'),
  podFailurePolicy: free('Rules for handling pod failures.'),
  successPolicy: free('Rules for declaring the Job successful early.'),
  backoffLimit: int32('Retries before the Job is failed. Default 6.'),
  backoffLimitPerIndex: int32('Retries per index for Indexed Jobs.'),
  maxFailedIndexes: int32('Failed indexes tolerated for Indexed Jobs.'),
  selector: ref(LABEL_SELECTOR, 'Labels of the pods of the Job; generated unless manualSelector.'),
  manualSelector: bool('Use the given selector instead of a generated one.'),
  template: ref(coreV1('PodTemplateSpec'), 'Pod run by the Job.', { required: true }),
  ttlSecondsAfterFinished: int32('Seconds after finishing before the Job is deleted.'),
  completionMode: str('`NonIndexed` (default) or `Indexed`.'),
  suspend: bool('Stop creating pods and delete running ones.'),
  podReplacementPolicy: str('When replacement pods are created: `TerminatingOrFailed` or `Failed`.'),
  managedBy: str('Controller that manages the Job.'),
});

const jobStatus = object(batchV1('JobStatus'), 'Observed state of a Job.', {
  conditions: field(t.list(t.ref(batchV1('JobCondition'))), 'Current conditions: Complete, Failed, Suspended, ...', {
    patchStrategy: 'merge',
    mergeKey: 'type',
    listType: 'atomic',
  }),
  startTime: time('When the Job started.'),
  completionTime: time('When the Job completed.'),
  active: int32('Running pods.'),
  succeeded: int32('Pods that succeeded.'),
  failed: int32('Pods that failed.'),
  terminating: int32('Pods being deleted.'),
  completedIndexes: str('Completed indexes of an Indexed Job, e.g. `1,3-5`.'),
  failedIndexes: str('Failed indexes of an Indexed Job.'),
  uncountedTerminatedPods: free('Finished pods not yet counted.'),
  ready: int32('Ready pods.'),
});

const jobCondition = object(batchV1('JobCondition'), 'A condition of a Job.', {
  type: str('Condition type.', { required: true }),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  lastProbeTime: time('When the condition was last checked.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('CamelCase reason.'),
  message: str('Human-readable details.'),
});

export const batchDefinitions: Definition[] = [job, jobSpec, jobStatus, jobCondition];

