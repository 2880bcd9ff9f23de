/**
 * apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet and core/v1 ReplicationController
 * (pkg/apis/apps/validation, core ValidateReplicationController).
 */
import { type FieldError, fieldErrors } from '../field.js';
import { type Obj, deepEqual, num, rec, str, strMap } from './access.js';
import { validateEnum, validateImmutable, validateLabels, validateNonNegative, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import {
  labelSelectorMatcher,
  validatePodTemplate,
  validateReplicas,
  validateRollingUpdate,
  validateWorkloadSelector,
} from './template.js';

function specOf(obj: Obj): Obj {
  return rec(obj.spec) ?? {};
}

function namespacedMeta(obj: Obj, validateName = nameIsDNSSubdomain): FieldError[] {
  return validateObjectMeta(obj.metadata, { namespaced: true, validateName });
}

/** Selector + template checks common to the apps/v1 kinds, whose pods must restart Always. */
function validateAppsTemplate(spec: Obj, kind: string): FieldError[] {
  return [
    ...validateWorkloadSelector(spec, kind.toLowerCase()),
    ...validatePodTemplate(spec.template, {
      matchesLabels: labelSelectorMatcher(spec.selector),
      restartPolicies: ['Always'],
      forbidDeadlineFor: kind,
    }),
  ];
}

export function validateDeployment(obj: Obj): FieldError[] {
  const spec = specOf(obj);
  const errs = [...namespacedMeta(obj), ...validateReplicas(spec)];
  errs.push(...validateWorkloadSelector(spec, 'deployment'));
  errs.push(
    ...validatePodTemplate(spec.template, {
      matchesLabels: labelSelectorMatcher(spec.selector),
      restartPolicies: ['Always'],
      forbidDeadlineFor: 'ReplicaSet',
    }),
  );
  errs.push(...validateDeploymentStrategy(rec(spec.strategy) ?? {}));
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = num(spec.progressDeadlineSeconds);
  if (deadline !== undefined) {
    errs.push(...validateNonNegative(deadline, 'spec.progressDeadlineSeconds'));
    if (deadline <= (num(spec.minReadySeconds) ?? 0)) {
      errs.push(fieldErrors.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

function validateDeploymentStrategy(strategy: Obj): FieldError[] {
  const errs = validateEnum(strategy.type, ['Recreate', 'RollingUpdate'], 'spec.strategy.type');
  const rolling = rec(strategy.rollingUpdate);
  if (strategy.type === 'Recreate' && rolling) {
    errs.push(fieldErrors.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  } else if (rolling) {
    errs.push(...validateRollingUpdate(rolling, 'spec.strategy.rollingUpdate', { maxSurge: '25%' }));
  }
  return errs;
}

export function validateReplicaSet(obj: Obj): FieldError[] {
  const spec = specOf(obj);
  const errs = [...namespacedMeta(obj), ...validateReplicas(spec)];
  // Upstream's ReplicaSet check reuses the Deployment wording.
  errs.push(...validateWorkloadSelector(spec, 'deployment'));
  errs.push(
    ...validatePodTemplate(spec.template, {
      matchesLabels: labelSelectorMatcher(spec.selector),
      restartPolicies: ['Always'],
      forbidDeadlineFor: 'ReplicaSet',
    }),
  );
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  return errs;
}

export function validateStatefulSet(obj: Obj): FieldError[] {
  const spec = specOf(obj);
  // Pod names are `<name>-<ordinal>` and double as hostnames, hence a DNS label.
  const errs = [...namespacedMeta(obj, nameIsDNSLabel), ...validateReplicas(spec)];
  errs.push(...validateEnum(spec.podManagementPolicy, ['OrderedReady', 'Parallel'], 'spec.podManagementPolicy'));
  const strategy = rec(spec.updateStrategy) ?? {};
  errs.push(...validateEnum(strategy.type, ['OnDelete', 'RollingUpdate'], 'spec.updateStrategy.type'));
  const rolling = rec(strategy.rollingUpdate);
  if (rolling && strategy.type === 'OnDelete') {
    errs.push(fieldErrors.invalid('spec.updateStrategy.rollingUpdate', rolling, 'only allowed for updateStrategy \'RollingUpdate\''));
  }
  if (rolling) errs.push(...validateNonNegative(rolling.partition, 'spec.updateStrategy.rollingUpdate.partition'));
  const retention = rec(spec.persistentVolumeClaimRetentionPolicy);
  for (const field of ['whenDeleted', 'whenScaled'] as const) {
    if (retention) {
      errs.push(...validateEnum(retention[field], ['Delete', 'Retain'], `spec.persistentVolumeClaimRetentionPolicy.${field}`));
    }
  }
  const serviceName = str(spec.serviceName);
  if (serviceName) {
    for (const msg of nameIsDNSLabel(serviceName, false)) errs.push(fieldErrors.invalid('spec.serviceName', serviceName, msg));
  }
  errs.push(...validateAppsTemplate(spec, 'StatefulSet'));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

export function validateDaemonSet(obj: Obj): FieldError[] {
  const spec = specOf(obj);
  const errs = namespacedMeta(obj);
  errs.push(...validateAppsTemplate(spec, 'DaemonSet'));
  const strategy = rec(spec.updateStrategy) ?? {};
  errs.push(...validateEnum(strategy.type, ['OnDelete', 'RollingUpdate'], 'spec.updateStrategy.type'));
  const rolling = rec(strategy.rollingUpdate);
  if (strategy.type === 'RollingUpdate' && rolling) {
    errs.push(...validateRollingUpdate(rolling, 'spec.updateStrategy.rollingUpdate', { maxSurge: 0 }));
  }
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...validateNonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  return errs;
}

/** apps/v1 selectors cannot change once created. */
function validateSelectorUpdate(obj: Obj, old: Obj): FieldError[] {
  return validateImmutable(specOf(obj).selector, specOf(old).selector, 'spec.selector');
}

export function validateAppsUpdate(kind: string, obj: Obj, old: Obj): FieldError[] {
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateSelectorUpdate(obj, old)];
  if (kind === 'StatefulSet') errs.push(...validateStatefulSetSpecUpdate(specOf(obj), specOf(old)));
  return errs;
}

const statefulSetUpdatable = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

function validateStatefulSetSpecUpdate(spec: Obj, old: Obj): FieldError[] {
  const strip = (s: Obj): Obj => Object.fromEntries(Object.entries(s).filter(([k]) => !statefulSetUpdatable.includes(k) && k !== 'selector'));
  if (deepEqual(strip(spec), strip(old))) return [];
  return [
    fieldErrors.forbidden(
      'spec',
      "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ),
  ];
}

export function validateReplicationController(obj: Obj): FieldError[] {
  const spec = specOf(obj);
  const errs = [...namespacedMeta(obj), ...validateReplicas(spec)];
  const selector = strMap(spec.selector) ?? {};
  if (Object.keys(selector).length === 0) errs.push(fieldErrors.required('spec.selector', ''));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  const template = rec(spec.template);
  if (!template) return [...errs, fieldErrors.required('spec.template', '')];
  const matchesLabels =
    Object.keys(selector).length === 0
      ? undefined
      : (labels: Record<string, string>) => Object.entries(selector).every(([k, v]) => labels[k] === v);
  errs.push(...validatePodTemplate(template, { matchesLabels, restartPolicies: ['Always'] }));
  errs.push(...validateNonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  return errs;
}
