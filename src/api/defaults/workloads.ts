/** apps/v1, batch/v1 and ReplicationController defaulting (SetDefaults_* upstream). */
import { type Obj, ensure, rec, setIfAbsent, strMap } from '../validation/access.js';
import { defaultPodTemplate } from './pod.js';

export function defaultDeployment(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  const strategy = ensure(spec, 'strategy');
  setIfAbsent(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensure(strategy, 'rollingUpdate');
    setIfAbsent(rolling, 'maxUnavailable', '25%');
    setIfAbsent(rolling, 'maxSurge', '25%');
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  setIfAbsent(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec);
}

export function defaultReplicaSet(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  defaultPodTemplate(spec);
}

export function defaultStatefulSet(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  setIfAbsent(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensure(spec, 'updateStrategy');
  setIfAbsent(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setIfAbsent(ensure(strategy, 'rollingUpdate'), 'partition', 0);
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  const retention = ensure(spec, 'persistentVolumeClaimRetentionPolicy');
  setIfAbsent(retention, 'whenDeleted', 'Retain');
  setIfAbsent(retention, 'whenScaled', 'Retain');
  defaultPodTemplate(spec);
}

export function defaultDaemonSet(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  const strategy = ensure(spec, 'updateStrategy');
  setIfAbsent(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rolling = ensure(strategy, 'rollingUpdate');
    setIfAbsent(rolling, 'maxUnavailable', 1);
    setIfAbsent(rolling, 'maxSurge', 0);
  }
  setIfAbsent(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec);
}

export function defaultJob(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfAbsent(spec, 'parallelism', 1);
  if (spec.backoffLimitPerIndex == null) setIfAbsent(spec, 'backoffLimit', 6);
  setIfAbsent(spec, 'completionMode', 'NonIndexed');
  setIfAbsent(spec, 'suspend', false);
  // With a podFailurePolicy, replacement waits for pods to fail (upstream's rule).
  setIfAbsent(spec, 'podReplacementPolicy', spec.podFailurePolicy == null ? 'TerminatingOrFailed' : 'Failed');
  defaultPodTemplate(spec);
}

export const jobLabels = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  legacyControllerUid: 'controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyJobName: 'job-name',
} as const;

/**
 * Called by the API server when a Job is created and its uid is known (upstream's job
 * strategy PrepareForCreate). Unless spec.manualSelector is true, the selector is generated
 * from the uid and the template gets the matching labels, old and new spellings.
 */
export function defaultJobSelector(job: Obj, uid: string): void {
  const spec = ensure(job, 'spec');
  if (spec.manualSelector === true) return;
  const name = String(rec(job.metadata)?.name ?? '');
  spec.selector = { matchLabels: { [jobLabels.controllerUid]: uid } };
  const templateMeta = ensure(ensure(spec, 'template'), 'metadata');
  templateMeta.labels = {
    ...(strMap(templateMeta.labels) ?? {}),
    [jobLabels.legacyControllerUid]: uid,
    [jobLabels.controllerUid]: uid,
    [jobLabels.legacyJobName]: name,
    [jobLabels.jobName]: name,
  };
}

export function defaultReplicationController(obj: Obj): void {
  const spec = ensure(obj, 'spec');
  setIfAbsent(spec, 'replicas', 1);
  const templateLabels = strMap(rec(rec(spec.template)?.metadata)?.labels) ?? {};
  if (Object.keys(templateLabels).length > 0) {
    if (Object.keys(strMap(spec.selector) ?? {}).length === 0) spec.selector = { ...templateLabels };
    const meta = ensure(obj, 'metadata');
    if (Object.keys(strMap(meta.labels) ?? {}).length === 0) meta.labels = { ...templateLabels };
  }
  defaultPodTemplate(spec);
}
