/**
 * core/v1 kinds around the workloads: Node, Namespace, Event, ConfigMap, Secret,
 * ServiceAccount, ReplicationController, and ObjectReference.
 */

import {
  type Definition,
  OBJECT_META,
  atomicList,
  bool,
  coreV1,
  field,
  free,
  int32,
  int64,
  kindObject,
  mapOf,
  mergeList,
  microTime,
  object,
  quantityMap,
  ref,
  str,
  stringMap,
  strings,
  t,
  time,
} from './dsl.js';
import { conditionsField } from './meta.js';

const objectReference = object(
  coreV1('ObjectReference'),
  'Refers to another object.',
  {
    kind: str('Kind of the object.'),
    namespace: str('Namespace of the object.'),
    name: str('Name of the object.'),
    uid: str('UID of the object.'),
    apiVersion: str('API version of the object.'),
    resourceVersion: str('Resource version the reference was made at.'),
    fieldPath: str('A field within the object, e.g. `spec.containers{web}`.'),
  },
  { atomic: true },
);

const node = kindObject({ group: '', version: 'v1', kind: 'Node' }, coreV1('Node'), 'A machine that runs pods.', {
  spec: ref(coreV1('NodeSpec'), 'Desired configuration of the node.'),
  status: ref(coreV1('NodeStatus'), 'Observed state of the node, reported by its agent.'),
});

const nodeSpec = object(coreV1('NodeSpec'), 'Configuration of a node.', {
  podCIDR: str('Pod IP range of the node.'),
  podCIDRs: field(t.list(t.string), 'Pod IP ranges of the node, one per family.', { patchStrategy: 'merge', listType: 'set' }),
  providerID: str('Identifier of the node at its infrastructure provider.'),
  unschedulable: bool('Keep new pods off the node.'),
  taints: atomicList(coreV1('Taint'), 'Taints that repel pods without a matching toleration.'),
  configSource: free('Deprecated dynamic kubelet configuration.'),
  externalID: str('Deprecated.'),
});

const taint = object(coreV1('Taint'), 'A mark on a node that repels pods.', {
  key: str('Taint key.', { required: true }),
  value: str('Taint value.'),
  effect: str('`NoSchedule`, `PreferNoSchedule` or `NoExecute`.', { required: true }),
  timeAdded: time('When a `NoExecute` taint was added.'),
});

const nodeStatus = object(coreV1('NodeStatus'), 'The observed state of a node.', {
  capacity: quantityMap('Total resources of the node.'),
  allocatable: quantityMap('Resources available to pods.'),
  phase: str('Deprecated.'),
  conditions: conditionsField('Current conditions: Ready, MemoryPressure, DiskPressure, ...', coreV1('NodeCondition')),
  addresses: field(t.list(t.ref(coreV1('NodeAddress'))), 'Addresses of the node.', {
    patchStrategy: 'merge',
    mergeKey: 'type',
    listType: 'map',
    listMapKeys: ['type'],
  }),
  daemonEndpoints: ref(coreV1('NodeDaemonEndpoints'), 'Ports of the daemons on the node.'),
  nodeInfo: ref(coreV1('NodeSystemInfo'), 'Identity and software versions of the node.'),
  images: atomicList(t.free, 'Images present on the node.'),
  volumesInUse: strings('Volumes in use on the node.'),
  volumesAttached: atomicList(t.free, 'Volumes attached to the node.'),
  config: free('Status of the node agent configuration.'),
  runtimeHandlers: atomicList(t.free, 'Runtime handlers available on the node.'),
  features: free('Features the node supports.'),
  declaredFeatures: strings('Features the node declares.'),
});

const nodeCondition = object(coreV1('NodeCondition'), 'One condition of a node.', {
  type: str('Condition type, e.g. `Ready`.', { required: true }),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  lastHeartbeatTime: time('When the condition was last reported.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('CamelCase reason for the last transition.'),
  message: str('Human-readable details.'),
});

const nodeAddress = object(coreV1('NodeAddress'), 'An address of a node.', {
  type: str('`Hostname`, `InternalIP`, `ExternalIP`, `InternalDNS` or `ExternalDNS`.', { required: true }),
  address: str('The address.', { required: true }),
});

const nodeDaemonEndpoints = object(coreV1('NodeDaemonEndpoints'), 'Ports of daemons on a node.', {
  kubeletEndpoint: ref(coreV1('DaemonEndpoint'), 'The node agent endpoint.'),
});

const daemonEndpoint = object(coreV1('DaemonEndpoint'), 'A daemon port.', {
  Port: int32('Port number.', { required: true }),
});

const nodeSystemInfo = object(coreV1('NodeSystemInfo'), 'Identity and software of a node.', {
  machineID: str('Machine ID.', { required: true }),
  systemUUID: str('System UUID.', { required: true }),
  bootID: str('Boot ID.', { required: true }),
  kernelVersion: str('Kernel version.', { required: true }),
  osImage: str('Operating system image.', { required: true }),
  containerRuntimeVersion: str('Runtime name and version.', { required: true }),
  kubeletVersion: str('Node agent version.', { required: true }),
  kubeProxyVersion: str('Deprecated.', { required: true }),
  operatingSystem: str('Operating system, e.g. `linux`.', { required: true }),
  architecture: str('CPU architecture, e.g. `amd64`.', { required: true }),
  swap: free('Swap information.'),
});

const namespace = kindObject({ group: '', version: 'v1', kind: 'Namespace' }, coreV1('Namespace'), 'A scope for names.', {
  spec: ref(coreV1('NamespaceSpec'), 'Desired state of the namespace.'),
  status: ref(coreV1('NamespaceStatus'), 'Observed state of the namespace.'),
});

const namespaceSpec = object(coreV1('NamespaceSpec'), 'Desired state of a namespace.', {
  finalizers: strings('Components that must clean up before the namespace is removed.'),
});

const namespaceStatus = object(coreV1('NamespaceStatus'), 'Observed state of a namespace.', {
  phase: str('`Active` or `Terminating`.'),
  conditions: conditionsField('Current conditions of the namespace.', coreV1('NamespaceCondition')),
});

const namespaceCondition = object(coreV1('NamespaceCondition'), 'One condition of a namespace.', {
  type: str('Condition type.', { required: true }),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('CamelCase reason.'),
  message: str('Human-readable details.'),
});

const event = kindObject({ group: '', version: 'v1', kind: 'Event' }, coreV1('Event'), 'A report of something that happened to an object.', {
  metadata: { ...ref(OBJECT_META, "The event's own metadata."), required: true },
  involvedObject: ref(coreV1('ObjectReference'), 'The object the event is about.', { required: true }),
  reason: str('Short CamelCase reason, e.g. `Scheduled`.'),
  message: str('Human-readable description.'),
  source: ref(coreV1('EventSource'), 'The component that reported the event.'),
  firstTimestamp: time('When the event was first seen.'),
  lastTimestamp: time('When the event was last seen.'),
  count: int32('Times the event has occurred.'),
  type: str('`Normal` or `Warning`.'),
  eventTime: microTime('When the event first happened.'),
  series: ref(coreV1('EventSeries'), 'Data about a repeating event.'),
  action: str('What was done, or failed, about the object.'),
  related: ref(coreV1('ObjectReference'), 'A second object involved.'),
  reportingComponent: str('Controller that emitted the event.'),
  reportingInstance: str('Instance of the controller.'),
});

const eventSource = object(coreV1('EventSource'), 'Where an event came from.', {
  component: str('Reporting component.'),
  host: str('Node the event came from.'),
});

const eventSeries = object(coreV1('EventSeries'), 'A series of repeated events.', {
  count: int32('Occurrences so far.'),
  lastObservedTime: microTime('Time of the last occurrence.'),
});

const configMap = kindObject({ group: '', version: 'v1', kind: 'ConfigMap' }, coreV1('ConfigMap'), 'Configuration data as key/value pairs.', {
  immutable: bool('If true, the data can no longer be changed.'),
  data: stringMap('UTF-8 values by key.'),
  binaryData: mapOf(t.bytes, 'Base64-encoded binary values by key.'),
});

const secret = kindObject({ group: '', version: 'v1', kind: 'Secret' }, coreV1('Secret'), 'Sensitive data as key/value pairs.', {
  immutable: bool('If true, the data can no longer be changed.'),
  data: mapOf(t.bytes, 'Base64-encoded values by key.'),
  stringData: stringMap('Plain-text values, merged into `data` on write; never returned.'),
  type: str('Type of the secret, e.g. `Opaque`, `kubernetes.io/tls`.'),
});

const serviceAccount = kindObject({ group: '', version: 'v1', kind: 'ServiceAccount' }, coreV1('ServiceAccount'), 'An identity for processes in pods.', {
  secrets: mergeList(coreV1('ObjectReference'), 'name', 'Secrets pods of this account may use.'),
  imagePullSecrets: atomicList(coreV1('LocalObjectReference'), 'Registry credentials added to pods of this account.'),
  automountServiceAccountToken: bool('Whether pods of this account get an API token mounted.'),
});

const replicationController = kindObject(
  { group: '', version: 'v1', kind: 'ReplicationController' },
  coreV1('ReplicationController'),
  'Keeps a number of pod replicas running (predecessor of ReplicaSet).',
  {
    spec: ref(coreV1('ReplicationControllerSpec'), 'Desired state.'),
    status: ref(coreV1('ReplicationControllerStatus'), 'Observed state.'),
  },
);

const rcSpec = object(coreV1('ReplicationControllerSpec'), 'Desired state of a ReplicationController.', {
  replicas: int32('Number of pods wanted. Default 1.'),
  minReadySeconds: int32('Seconds a new pod must be ready to count as available.'),
  selector: stringMap('Labels of the pods it manages; defaults to the template labels.', { mapType: 'atomic' }),
  template: ref(coreV1('PodTemplateSpec'), 'Pod created when there are too few replicas.'),
});

const rcStatus = object(coreV1('ReplicationControllerStatus'), 'Observed state of a ReplicationController.', {
  replicas: int32('Current number of pods.', { required: true }),
  fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
  readyReplicas: int32('Ready pods.'),
  availableReplicas: int32('Pods ready for at least minReadySeconds.'),
  observedGeneration: int64('Generation last acted on.'),
  conditions: conditionsField('Current conditions.', coreV1('ReplicationControllerCondition')),
});

const rcCondition = object(coreV1('ReplicationControllerCondition'), 'A condition of a ReplicationController.', {
  type: str('Condition type.', { required: true }),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('CamelCase reason.'),
  message: str('Human-readable details.'),
});

export const clusterDefinitions: Definition[] = [
  objectReference,
  node,
  nodeSpec,
  taint,
  nodeStatus,
  nodeCondition,
  nodeAddress,
  nodeDaemonEndpoints,
  daemonEndpoint,
  nodeSystemInfo,
  namespace,
  namespaceSpec,
  namespaceStatus,
  namespaceCondition,
  event,
  eventSource,
  eventSeries,
  configMap,
  secret,
  serviceAccount,
  replicationController,
  rcSpec,
  rcStatus,
  rcCondition,
];
