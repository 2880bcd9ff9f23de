/**
 * k8s.io/apimachinery messages: meta/v1 (ObjectMeta, LabelSelector, DeleteOptions, ...)
 * plus the small wrappers autoscaling/v1 Scale and policy/v1 Eviction. Field numbers from apimachinery's generated.proto; presence
 * from the Go types (pointer fields are marked `ptr`, tags without omitempty `always`).
 */

import { always, bool, i32, i64, list, map, one, ptr, str, type MessageTable } from './schema.js';

export const metaMessages: MessageTable = {
  'meta.ObjectMeta': {
    1: str('name'),
    2: str('generateName'),
    3: str('namespace'),
    4: str('selfLink'),
    5: str('uid'),
    6: str('resourceVersion'),
    7: i64('generation'),
    8: one('creationTimestamp', 'Time'),
    9: one('deletionTimestamp', 'Time', ptr),
    10: i64('deletionGracePeriodSeconds', ptr),
    11: map('labels'),
    12: map('annotations'),
    13: list('ownerReferences', 'meta.OwnerReference'),
    14: list('finalizers', 'string'),
    17: list('managedFields', 'meta.ManagedFieldsEntry'),
  },
  'meta.OwnerReference': {
    5: str('apiVersion', always),
    1: str('kind', always),
    3: str('name', always),
    4: str('uid', always),
    6: bool('controller', ptr),
    7: bool('blockOwnerDeletion', ptr),
  },
  'meta.ManagedFieldsEntry': {
    1: str('manager'),
    2: str('operation'),
    3: str('apiVersion'),
    4: one('time', 'Time', ptr),
    6: str('fieldsType'),
    7: one('fieldsV1', 'FieldsV1', ptr),
    8: str('subresource'),
  },
  'meta.LabelSelector': {
    1: map('matchLabels'),
    2: list('matchExpressions', 'meta.LabelSelectorRequirement'),
  },
  'meta.LabelSelectorRequirement': {
    1: str('key', always),
    2: str('operator', always),
    3: list('values', 'string'),
  },
  'meta.Condition': {
    1: str('type', always),
    2: str('status', always),
    3: i64('observedGeneration'),
    4: one('lastTransitionTime', 'Time'),
    5: str('reason', always),
    6: str('message', always),
  },
  'meta.DeleteOptions': {
    1: i64('gracePeriodSeconds', ptr),
    2: one('preconditions', 'meta.Preconditions', ptr),
    3: bool('orphanDependents', ptr),
    4: str('propagationPolicy', ptr),
    5: list('dryRun', 'string'),
    6: bool('ignoreStoreReadErrorWithClusterBreakingPotential', ptr),
  },
  'meta.Preconditions': {
    1: str('uid', ptr),
    2: str('resourceVersion', ptr),
  },
  'meta.TypeMeta': {
    1: str('apiVersion'),
    2: str('kind'),
  },
  'policy.Eviction': {
    1: one('metadata', 'meta.ObjectMeta'),
    2: one('deleteOptions', 'meta.DeleteOptions', ptr),
  },
  'autoscaling.Scale': {
    1: one('metadata', 'meta.ObjectMeta'),
    2: one('spec', 'autoscaling.ScaleSpec'),
    3: one('status', 'autoscaling.ScaleStatus'),
  },
  'autoscaling.ScaleSpec': {
    1: i32('replicas'),
  },
  'autoscaling.ScaleStatus': {
    1: i32('replicas', always),
    2: str('selector'),
  },
};

/** runtime.Unknown, the envelope after the `k8s\0` magic. */
export const unknownEnvelope = {
  typeMeta: 1,
  raw: 2,
  contentEncoding: 3,
  contentType: 4,
} as const;

