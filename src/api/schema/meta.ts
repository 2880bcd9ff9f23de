/**
 * meta.k8s.io/v1 types shared by every kind (ObjectMeta, LabelSelector, Condition, ...) and
 * the named scalars (Quantity, IntOrString, Time).
 */

import {
  type Definition,
  CONDITION,
  INT_OR_STRING,
  LABEL_SELECTOR,
  LIST_META,
  MICRO_TIME,
  OBJECT_META,
  QUANTITY,
  TIME,
  atomicList,
  bool,
  field,
  free,
  int64,
  metaV1,
  object,
  ref,
  scalar,
  str,
  stringMap,
  strings,
  t,
  time,
} from './dsl.js';

const scalars: Definition[] = [
  scalar(
    QUANTITY,
    'A fixed-point amount such as `100m`, `1.5Gi` or `2`: a number with an optional SI or binary suffix.',
    'quantity',
    'resource.Quantity',
  ),
  scalar(INT_OR_STRING, 'Either an integer or a string, e.g. a port number or a port name.', 'int-or-string', 'intstr.IntOrString'),
  scalar(TIME, 'A timestamp in RFC 3339 form, to the second, e.g. `2024-01-02T15:04:05Z`.', 'date-time', 'v1.Time'),
  scalar(MICRO_TIME, 'A timestamp in RFC 3339 form with microseconds.', 'date-time', 'v1.MicroTime'),
  scalar(metaV1('FieldsV1'), 'The set of fields a manager owns, in the FieldsV1 trie format.', 'object', 'v1.FieldsV1'),
  scalar('io.k8s.apimachinery.pkg.runtime.RawExtension', 'An embedded object of any kind.', 'object', 'runtime.RawExtension'),
];

const objectMeta = object(OBJECT_META, 'Metadata every persisted object has: identity, labels, annotations, ownership.', {
  name: str('Name of the object, unique within its namespace (or the cluster for cluster-scoped kinds).'),
  generateName: str('Prefix from which the server generates a unique name when `name` is empty.'),
  namespace: str('Namespace the object lives in; empty for cluster-scoped kinds.'),
  selfLink: str('Deprecated and no longer set.'),
  uid: str('Unique identifier set by the server when the object is created; never reused.'),
  resourceVersion: str('Opaque version of this object, changed on every write; used for optimistic concurrency and watches.'),
  generation: int64('Sequence number of changes to the desired state, set by the server.'),
  creationTimestamp: time('When the server created the object.'),
  deletionTimestamp: time('When the object will be removed; set when deletion is requested.'),
  deletionGracePeriodSeconds: int64('Seconds the object has to terminate gracefully before it is removed.'),
  labels: stringMap('Key/value pairs used to select and group objects.'),
  annotations: stringMap('Key/value pairs for tools and people; not used for selection.'),
  ownerReferences: field(t.list(t.ref(metaV1('OwnerReference'))), 'Objects this object depends on; it is garbage collected when they are gone.', {
    patchStrategy: 'merge',
    mergeKey: 'uid',
    listType: 'map',
    listMapKeys: ['uid'],
  }),
  finalizers: field(t.list(t.string), 'Names of components that must finish clean-up before the object is removed.', {
    patchStrategy: 'merge',
    listType: 'set',
  }),
  managedFields: atomicList(metaV1('ManagedFieldsEntry'), 'Which field manager owns which fields (server-side apply).'),
});

const ownerReference = object(
  metaV1('OwnerReference'),
  'Identifies an owning object.',
  {
    apiVersion: str('API version of the owner.', { required: true }),
    kind: str('Kind of the owner.', { required: true }),
    name: str('Name of the owner.', { required: true }),
    uid: str('UID of the owner.', { required: true }),
    controller: bool('True if the owner is the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted in the foreground until this object is gone.'),
  },
  { atomic: true },
);

const managedFieldsEntry = object(metaV1('ManagedFieldsEntry'), 'The fields one manager owns, and how it wrote them.', {
  manager: str('Name of the field manager.'),
  operation: str('The kind of write: `Apply` or `Update`.'),
  apiVersion: str('API version the fields were written in.'),
  time: time('When the manager last changed these fields.'),
  fieldsType: str('Format of `fieldsV1`; always `FieldsV1`.'),
  fieldsV1: ref(metaV1('FieldsV1'), 'The owned fields.'),
  subresource: str('The subresource written through, if any.'),
});

const listMeta = object(LIST_META, 'Metadata of a list response.', {
  selfLink: str('Deprecated and no longer set.'),
  resourceVersion: str('Version of the collection at the time of the list; watch from here.'),
  continue: str('Token to fetch the next page, when the list was limited.'),
  remainingItemCount: int64('Number of items left after this page, when known.'),
});

const labelSelector = object(
  LABEL_SELECTOR,
  'Selects objects by labels. Requirements are ANDed; an empty selector matches everything.',
  {
    matchLabels: stringMap('Labels that must all be present with these values.'),
    matchExpressions: atomicList(metaV1('LabelSelectorRequirement'), 'Set-based requirements on labels.'),
  },
  { atomic: true },
);

const labelSelectorRequirement = object(metaV1('LabelSelectorRequirement'), 'One requirement on a label key.', {
  key: str('The label key.', { required: true }),
  operator: str('How the key relates to the values: `In`, `NotIn`, `Exists` or `DoesNotExist`.', { required: true }),
  values: strings('Values for `In` and `NotIn`; must be empty for `Exists` and `DoesNotExist`.'),
});

const condition = object(CONDITION, 'One aspect of the current state of an object.', {
  type: str('The condition type, in CamelCase.', { required: true }),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  observedGeneration: int64('The `metadata.generation` this condition was computed from.'),
  lastTransitionTime: time('When the status last changed.', { required: true }),
  reason: str('Machine-readable CamelCase reason for the last transition.', { required: true }),
  message: str('Human-readable details about the last transition.', { required: true }),
});

// Referenced by the generated OpenAPI paths (delete responses, patch bodies).
const status = object(metaV1('Status'), 'The outcome of an operation that does not return an object, or of a failure.', {
  apiVersion: str('The versioned schema of this object.'),
  kind: str('Always `Status`.'),
  metadata: ref(LIST_META, 'Standard list metadata.'),
  status: str('`Success` or `Failure`.'),
  message: str('Human-readable description of the outcome.'),
  reason: str('Machine-readable CamelCase reason for a failure.'),
  details: free('Extra data about the failure: the object, and causes per field.'),
  code: field(t.int32, 'The HTTP status code.'),
});

const deleteOptions = object(metaV1('DeleteOptions'), 'Options for a delete request.', {
  apiVersion: str('The versioned schema of this object.'),
  kind: str('Always `DeleteOptions`.'),
  gracePeriodSeconds: int64('Seconds to wait before the object is removed; 0 means now.'),
  preconditions: free('UID and resourceVersion the object must have for the delete to proceed.'),
  orphanDependents: bool('Deprecated: use `propagationPolicy`.'),
  propagationPolicy: str('How dependents are deleted: `Orphan`, `Background` or `Foreground`.'),
  dryRun: strings('When set to `All`, the request is checked but nothing is stored.'),
  ignoreStoreReadErrorWithClusterBreakingPotential: bool('Delete an object whose stored form cannot be read.'),
});

const patch = object(metaV1('Patch'), 'A patch document, in the format named by the Content-Type header.', {});

export const metaDefinitions: Definition[] = [
  ...scalars,
  objectMeta,
  ownerReference,
  managedFieldsEntry,
  listMeta,
  labelSelector,
  labelSelectorRequirement,
  condition,
  status,
  deleteOptions,
  patch,
];

/** The `conditions` field of a status that uses meta/v1 Condition, merged on `type`. */
export function conditionsField(description: string, itemType: string = CONDITION) {
  return field(t.list(t.ref(itemType)), description, {
    patchStrategy: 'merge',
    mergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  });
}

