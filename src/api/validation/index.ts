/**
 * Validation entry points the API server calls after defaulting. Each returns field
 * errors (empty when valid) with Kubernetes' types, paths and messages; the caller turns
 * a non-empty list into a 422 `Invalid` Status (`errors.invalid`).
 */
import type { FieldError } from '../field.js';
import { findResourceByKind } from '../resources.js';
import type { Obj } from './access.js';
import { rec } from './access.js';
import {
  validateConfigMap,
  validateDataUpdate,
  validateEvent,
  validateLease,
  validateNamespace,
  validateNode,
  validateSecret,
  validateSecretUpdate,
} from './core.js';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints } from './endpoints.js';
import { validateJob, validateJobUpdate } from './job.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { nameIsDNSSubdomain } from './names.js';
import { validatePod, validatePodStatusUpdate, validatePodUpdate } from './pod.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './service.js';
import {
  validateAppsUpdate,
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateReplicationController,
  validateStatefulSet,
} from './workloads.js';

type Validator = (obj: Obj) => FieldError[];
type UpdateValidator = (obj: Obj, old: Obj) => FieldError[];

const createValidators: Record<string, Validator> = {
  '/Service': validateService,
  '/Pod': validatePod,
  '/Endpoints': validateEndpoints,
  '/Namespace': validateNamespace,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/Node': validateNode,
  '/Event': validateEvent,
  '/ReplicationController': validateReplicationController,
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  'apps/StatefulSet': validateStatefulSet,
  'apps/DaemonSet': validateDaemonSet,
  'batch/Job': validateJob,
  'discovery.k8s.io/EndpointSlice': validateEndpointSlice,
  'coordination.k8s.io/Lease': validateLease,
};

/** Checks that only apply to updates; the full create checks run on the new object too. */
const updateValidators: Record<string, UpdateValidator> = {
  '/Service': validateServiceUpdate,
  '/Pod': validatePodUpdate,
  '/ConfigMap': (obj, old) => validateDataUpdate(obj, old, ['data', 'binaryData']),
  '/Secret': validateSecretUpdate,
  'apps/Deployment': (obj, old) => validateAppsUpdate('Deployment', obj, old),
  'apps/ReplicaSet': (obj, old) => validateAppsUpdate('ReplicaSet', obj, old),
  'apps/StatefulSet': (obj, old) => validateAppsUpdate('StatefulSet', obj, old),
  'apps/DaemonSet': (obj, old) => validateAppsUpdate('DaemonSet', obj, old),
  'batch/Job': validateJobUpdate,
  'discovery.k8s.io/EndpointSlice': validateEndpointSliceUpdate,
};

const statusValidators: Record<string, UpdateValidator> = {
  '/Service': validateServiceStatusUpdate,
  '/Pod': validatePodStatusUpdate,
};

function asObj(obj: unknown): Obj {
  return rec(obj) ?? {};
}

/** Kinds without their own rules still get ObjectMeta checks. */
function validateGenericMeta(group: string, kind: string, obj: Obj): FieldError[] {
  const namespaced = findResourceByKind(group, kind)?.namespaced ?? true;
  return validateObjectMeta(obj.metadata, { namespaced, validateName: nameIsDNSSubdomain });
}

export function validateCreate(group: string, kind: string, obj: unknown): FieldError[] {
  const o = asObj(obj);
  const validator = createValidators[`${group}/${kind}`];
  return validator ? validator(o) : validateGenericMeta(group, kind, o);
}

export function validateUpdate(group: string, kind: string, obj: unknown, old: unknown): FieldError[] {
  const o = asObj(obj);
  const prev = asObj(old);
  const key = `${group}/${kind}`;
  const update = updateValidators[key];
  const updateErrors = update ? update(o, prev) : validateObjectMetaUpdate(o.metadata, prev.metadata);
  // Service and Pod update validators already include the full object checks.
  if (key === '/Service' || key === '/Pod') return updateErrors;
  return [...updateErrors, ...validateCreate(group, kind, o)];
}

/** Status subresource writes: metadata must not move, and status fields must be well formed. */
export function validateStatusUpdate(group: string, kind: string, obj: unknown, old: unknown): FieldError[] {
  const o = asObj(obj);
  const prev = asObj(old);
  const validator = statusValidators[`${group}/${kind}`];
  return validator ? validator(o, prev) : validateObjectMetaUpdate(o.metadata, prev.metadata);
}

export { podUpdateForbiddenMessage } from './pod.js';
export { immutableMessage } from './meta.js';
export { selectorMismatchMessage } from './template.js';
export { dns1035LabelMessage, dns1123LabelMessage, dns1123SubdomainMessage, portRangeMessage } from './names.js';
