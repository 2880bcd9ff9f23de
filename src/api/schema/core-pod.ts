/**
 * core/v1 Pod: PodSpec (modelled fully where service discovery reads it: hostname, subdomain,
 * DNS settings, containers, node), PodStatus, PodTemplateSpec.
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
  mergeList,
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

const podSpec = object(coreV1('PodSpec'), 'The desired state of a pod: its containers, volumes and how it is placed and named.', {
  volumes: field(t.list(t.ref(coreV1('Volume'))), 'Volumes the containers can mount.', {
    patchStrategy: 'merge,retainKeys',
    mergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  initContainers: mergeList(coreV1('Container'), 'name', 'Containers run in order, each to completion, before the main containers start.'),
  containers: { ...mergeList(coreV1('Container'), 'name', 'The containers of the pod; at least one.'), required: true },
  ephemeralContainers: mergeList(coreV1('EphemeralContainer'), 'name', 'Debugging containers added to the running pod.'),
  restartPolicy: str('When containers are restarted: `Always`, `OnFailure` or `Never`. Default `Always`.'),
  terminationGracePeriodSeconds: int64('Seconds between SIGTERM and SIGKILL when the pod is deleted. Default 30.'),
  activeDeadlineSeconds: int64('Seconds the pod may run before it is failed.'),
  dnsPolicy: str('How /etc/resolv.conf is written: `ClusterFirst`, `ClusterFirstWithHostNet`, `Default` or `None`.'),
  nodeSelector: stringMap('Labels a node must have for the pod to be scheduled there.', { mapType: 'atomic' }),
  serviceAccountName: str('ServiceAccount the pod runs as.'),
  serviceAccount: str('Deprecated alias of `serviceAccountName`.'),
  automountServiceAccountToken: bool('Whether an API token is mounted into the pod.'),
  nodeName: str('Node the pod is bound to; set by the scheduler.'),
  hostNetwork: bool("Use the node's network namespace instead of the pod's own."),
  hostPID: bool("Use the node's process namespace."),
  hostIPC: bool("Use the node's IPC namespace."),
  shareProcessNamespace: bool('Containers of the pod share one process namespace.'),
  securityContext: free('Security options applied to every container of the pod.'),
  imagePullSecrets: mergeList(coreV1('LocalObjectReference'), 'name', 'Secrets holding registry credentials.'),
  hostname: str('Hostname of the pod; defaults to the pod name.'),
  subdomain: str('With a headless Service of this name, gives the pod the DNS name `<hostname>.<subdomain>.<ns>.svc.<domain>`.'),
  affinity: free('Scheduling constraints relative to nodes and other pods.'),
  schedulerName: str('Scheduler responsible for the pod.'),
  tolerations: atomicList(coreV1('Toleration'), 'Node taints the pod tolerates.'),
  hostAliases: mergeList(coreV1('HostAlias'), 'ip', 'Extra entries for the pod /etc/hosts.'),
  priorityClassName: str('PriorityClass of the pod.'),
  priority: int32('Scheduling priority, resolved from `priorityClassName`.'),
  dnsConfig: ref(coreV1('PodDNSConfig'), 'Extra resolv.conf settings, merged with those from `dnsPolicy`.'),
  readinessGates: atomicList(coreV1('PodReadinessGate'), 'Extra conditions that must be True for the pod to be Ready.'),
  runtimeClassName: str('RuntimeClass used to run the pod.'),
  enableServiceLinks: bool('Inject environment variables for Services in the namespace. Default true.'),
  preemptionPolicy: str('`PreemptLowerPriority` or `Never`.'),
  overhead: quantityMap('Resources used by the pod sandbox itself.'),
  topologySpreadConstraints: field(t.list(t.free), 'How pods are spread across topology domains.', {
    patchStrategy: 'merge',
    mergeKey: 'topologyKey',
    listType: 'map',
    listMapKeys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  setHostnameAsFQDN: bool('Set the kernel hostname to the fully qualified domain name.'),
  os: ref(coreV1('PodOS'), 'Operating system the pod needs.'),
  hostUsers: bool("Use the node's user namespace. Default true."),
  schedulingGates: mergeList(coreV1('PodSchedulingGate'), 'name', 'Gates that hold the pod back from scheduling while present.'),
  resourceClaims: field(t.list(t.free), 'Dynamic resource claims of the pod.', {
    patchStrategy: 'merge,retainKeys',
    mergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
  resources: ref(coreV1('ResourceRequirements'), 'Resources for the pod as a whole.'),
  hostnameOverride: str('Hostname to use instead of the one derived from the pod name.'),
});

const toleration = object(coreV1('Toleration'), 'Allows the pod onto nodes with a matching taint.', {
  key: str('Taint key; empty with `Exists` matches all taints.'),
  operator: str('`Exists` or `Equal`. Default `Equal`.'),
  value: str('Taint value to match with `Equal`.'),
  effect: str('Taint effect to match: `NoSchedule`, `PreferNoSchedule` or `NoExecute`; empty matches all.'),
  tolerationSeconds: int64('For `NoExecute`: how long the pod stays after the taint appears.'),
});

const localObjectReference = object(
  coreV1('LocalObjectReference'),
  'Names an object in the same namespace.',
  { name: str('Name of the object.') },
  { atomic: true },
);

const hostAlias = object(coreV1('HostAlias'), 'An /etc/hosts entry.', {
  ip: str('IP address.', { required: true }),
  hostnames: strings('Names for the address.'),
});

const podDNSConfig = object(coreV1('PodDNSConfig'), 'DNS resolver settings of a pod.', {
  nameservers: strings('Name server IPs, added to those from the DNS policy.'),
  searches: strings('Search domains, added to those from the DNS policy.'),
  options: atomicList(coreV1('PodDNSConfigOption'), 'Resolver options, merged with those from the DNS policy.'),
});

const podDNSConfigOption = object(coreV1('PodDNSConfigOption'), 'A resolver option.', {
  name: str('Option name, e.g. `ndots`.', { required: true }),
  value: str('Option value.'),
});

const podReadinessGate = object(coreV1('PodReadinessGate'), 'A pod condition that must be True for readiness.', {
  conditionType: str('Type of the pod condition.', { required: true }),
});

const podOS = object(coreV1('PodOS'), 'Operating system of a pod.', {
  name: str('`linux` or `windows`.', { required: true }),
});

const podSchedulingGate = object(coreV1('PodSchedulingGate'), 'A gate holding a pod back from scheduling.', {
  name: str('Name of the gate.', { required: true }),
});

const podStatus = object(coreV1('PodStatus'), 'The observed state of a pod.', {
  observedGeneration: int64('The pod generation this status reflects.'),
  phase: str('Summary of the pod lifecycle: `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.'),
  conditions: conditionsField('Current conditions: PodScheduled, Initialized, ContainersReady, Ready, ...', coreV1('PodCondition')),
  message: str('Human-readable detail about why the pod is in this state.'),
  reason: str('Brief CamelCase reason for the state, e.g. `Evicted`.'),
  nominatedNodeName: str('Node the pod is expected to go to after preemption.'),
  hostIP: str('Primary IP of the node running the pod.'),
  hostIPs: field(t.list(t.ref(coreV1('HostIP'))), 'IPs of the node running the pod.', {
    patchStrategy: 'merge',
    mergeKey: 'ip',
    listType: 'atomic',
  }),
  podIP: str('Primary IP of the pod.'),
  podIPs: field(t.list(t.ref(coreV1('PodIP'))), 'IPs of the pod, at most one per family; the first equals `podIP`.', {
    patchStrategy: 'merge',
    mergeKey: 'ip',
    listType: 'map',
    listMapKeys: ['ip'],
  }),
  startTime: time('When the node accepted the pod.'),
  initContainerStatuses: atomicList(coreV1('ContainerStatus'), 'Status of each init container.'),
  containerStatuses: atomicList(coreV1('ContainerStatus'), 'Status of each container.'),
  qosClass: str('Quality of service class: `Guaranteed`, `Burstable` or `BestEffort`.'),
  ephemeralContainerStatuses: atomicList(coreV1('ContainerStatus'), 'Status of each ephemeral container.'),
  resize: str('Status of an in-place resize.'),
  resourceClaimStatuses: field(t.list(t.free), 'Generated names of the pod resource claims.', {
    patchStrategy: 'merge,retainKeys',
    mergeKey: 'name',
    listType: 'map',
    listMapKeys: ['name'],
  }),
});

const podCondition = object(coreV1('PodCondition'), 'One condition of a pod.', {
  type: str('Condition type: `PodScheduled`, `Initialized`, `ContainersReady`, `Ready`, ...', { required: true }),
  observedGeneration: int64('The pod generation this condition reflects.'),
  status: str('`True`, `False` or `Unknown`.', { required: true }),
  lastProbeTime: time('When the condition was last checked.'),
  lastTransitionTime: time('When the status last changed.'),
  reason: str('CamelCase reason for the last transition.'),
  message: str('Human-readable details.'),
});

const ipEntry = (name: string, what: string): Definition =>
  object(coreV1(name), `An IP address of the ${what}.`, { ip: str('The IP address.', { required: true }) });

const containerStatus = object(coreV1('ContainerStatus'), 'The observed state of one container.', {
  name: str('Name of the container.', { required: true }),
  state: ref(coreV1('ContainerState'), 'Current state.'),
  lastState: ref(coreV1('ContainerState'), 'State of the previous run, if it was restarted.'),
  ready: bool('Whether the readiness probe passes.', { required: true }),
  restartCount: int32('Times the container has been restarted.', { required: true }),
  image: str('Image the container runs.', { required: true }),
  imageID: str('Resolved image identifier.', { required: true }),
  containerID: str('Runtime identifier of the container, `<type>://<id>`.'),
  started: bool('Whether the container has started and passed its startup probe.'),
  allocatedResources: quantityMap('Resources allocated to the container.'),
  resources: ref(coreV1('ResourceRequirements'), 'Resources the container actually has.'),
  volumeMounts: atomicList(t.free, 'Volume mounts as the runtime reports them.'),
  user: free('Identity of the container process.'),
  allocatedResourcesStatus: atomicList(t.free, 'Health of the allocated resources.'),
  stopSignal: str('Signal that will stop the container.'),
});

const containerState = object(coreV1('ContainerState'), 'The state of a container: exactly one of the fields is set.', {
  waiting: ref(coreV1('ContainerStateWaiting'), 'Not running yet.'),
  running: ref(coreV1('ContainerStateRunning'), 'Running.'),
  terminated: ref(coreV1('ContainerStateTerminated'), 'Exited.'),
});

const stateWaiting = object(coreV1('ContainerStateWaiting'), 'A container that is not running yet.', {
  reason: str('Why it is waiting, e.g. `ContainerCreating`.'),
  message: str('Details.'),
});

const stateRunning = object(coreV1('ContainerStateRunning'), 'A running container.', {
  startedAt: time('When it started.'),
});

const stateTerminated = object(coreV1('ContainerStateTerminated'), 'A container that exited.', {
  exitCode: int32('Exit status.', { required: true }),
  signal: int32('Signal that ended it, if any.'),
  reason: str('Why it exited, e.g. `Completed`, `Error`, `OOMKilled`.'),
  message: str('Details.'),
  startedAt: time('When it started.'),
  finishedAt: time('When it exited.'),
  containerID: str('Runtime identifier of the container.'),
});

const pod = kindObject({ group: '', version: 'v1', kind: 'Pod' }, coreV1('Pod'), 'A group of containers that share a network identity and run on one node.', {
  spec: ref(coreV1('PodSpec'), 'Desired state of the pod.'),
  status: ref(coreV1('PodStatus'), 'Observed state of the pod, written by the node agent.'),
});

const podTemplateSpec = object(coreV1('PodTemplateSpec'), 'The pod a controller creates: metadata and spec.', {
  metadata: ref(OBJECT_META, 'Metadata of the created pods; labels must match the selector.'),
  spec: ref(coreV1('PodSpec'), 'Spec of the created pods.'),
});

export const podDefinitions: Definition[] = [
  pod,
  podSpec,
  toleration,
  localObjectReference,
  hostAlias,
  podDNSConfig,
  podDNSConfigOption,
  podReadinessGate,
  podOS,
  podSchedulingGate,
  podStatus,
  podCondition,
  ipEntry('PodIP', 'pod'),
  ipEntry('HostIP', 'node'),
  containerStatus,
  containerState,
  stateWaiting,
  stateRunning,
  stateTerminated,
  podTemplateSpec,
];
