/**
 * core/v1 top-level kinds other than the pod spec: Namespace, Service, ConfigMap, Secret,
 * ServiceAccount, Endpoints, Event, Pod and its status, PersistentVolumeClaim (for
 * StatefulSet claim templates). Field numbers from k8s.io/api core/v1 generated.proto.
 */

import { always, bool, i32, i64, list, map, one, ptr, str, type MessageTable } from './schema.js';

const metadata = one('metadata', 'meta.ObjectMeta');

export const coreMessages: MessageTable = {
  'core.Namespace': { 1: metadata, 2: one('spec', 'core.NamespaceSpec'), 3: one('status', 'core.NamespaceStatus') },
  'core.NamespaceSpec': { 1: list('finalizers', 'string') },
  'core.NamespaceStatus': { 1: str('phase'), 2: list('conditions', 'core.NamespaceCondition') },
  'core.NamespaceCondition': conditionFields(),
  'core.ConfigMap': {
    1: metadata,
    4: bool('immutable', ptr),
    2: map('data'),
    3: map('binaryData', 'bytes'),
  },
  'core.Secret': {
    1: metadata,
    5: bool('immutable', ptr),
    2: map('data', 'bytes'),
    4: map('stringData'),
    3: str('type'),
  },
  'core.ServiceAccount': {
    1: metadata,
    2: list('secrets', 'core.ObjectReference'),
    3: list('imagePullSecrets', 'core.LocalObjectReference'),
    4: bool('automountServiceAccountToken', ptr),
  },
  'core.ObjectReference': {
    1: str('kind'),
    2: str('namespace'),
    3: str('name'),
    4: str('uid'),
    5: str('apiVersion'),
    6: str('resourceVersion'),
    7: str('fieldPath'),
  },
  'core.Endpoints': { 1: metadata, 2: list('subsets', 'core.EndpointSubset') },
  'core.EndpointSubset': {
    1: list('addresses', 'core.EndpointAddress'),
    2: list('notReadyAddresses', 'core.EndpointAddress'),
    3: list('ports', 'core.EndpointPort'),
  },
  'core.EndpointAddress': {
    1: str('ip', always),
    3: str('hostname'),
    4: str('nodeName', ptr),
    2: one('targetRef', 'core.ObjectReference', ptr),
  },
  'core.EndpointPort': {
    1: str('name'),
    2: i32('port', always),
    3: str('protocol'),
    4: str('appProtocol', ptr),
  },
  'core.Event': {
    1: metadata,
    2: one('involvedObject', 'core.ObjectReference'),
    3: str('reason'),
    4: str('message'),
    5: one('source', 'core.EventSource'),
    6: one('firstTimestamp', 'Time'),
    7: one('lastTimestamp', 'Time'),
    8: i32('count'),
    9: str('type'),
    10: one('eventTime', 'MicroTime'),
    11: one('series', 'core.EventSeries', ptr),
    12: str('action'),
    13: one('related', 'core.ObjectReference', ptr),
    14: str('reportingComponent', always),
    15: str('reportingInstance', always),
  },
  'core.EventSource': { 1: str('component'), 2: str('host') },
  'core.EventSeries': { 1: i32('count'), 2: one('lastObservedTime', 'MicroTime') },
  'core.Binding': { 1: metadata, 2: one('target', 'core.ObjectReference') },
  'core.Pod': { 1: metadata, 2: one('spec', 'core.PodSpec'), 3: one('status', 'core.PodStatus') },
  'core.PersistentVolumeClaim': {
    1: metadata,
    2: one('spec', 'core.PersistentVolumeClaimSpec'),
    3: one('status', 'core.PersistentVolumeClaimStatus'),
  },
  'core.PersistentVolumeClaimSpec': {
    1: list('accessModes', 'string'),
    4: one('selector', 'meta.LabelSelector', ptr),
    2: one('resources', 'core.VolumeResourceRequirements'),
    3: str('volumeName'),
    5: str('storageClassName', ptr),
    6: str('volumeMode', ptr),
    9: str('volumeAttributesClassName', ptr),
  },
  'core.VolumeResourceRequirements': { 1: map('limits', 'Quantity'), 2: map('requests', 'Quantity') },
  'core.PersistentVolumeClaimStatus': {
    1: str('phase'),
    2: list('accessModes', 'string'),
    3: map('capacity', 'Quantity'),
  },
  ...serviceMessages(),
  ...podStatusMessages(),
};

function conditionFields() {
  return {
    1: str('type', always),
    2: str('status', always),
    4: one('lastTransitionTime', 'Time'),
    5: str('reason'),
    6: str('message'),
  };
}

function serviceMessages(): MessageTable {
  return {
    'core.Service': { 1: metadata, 2: one('spec', 'core.ServiceSpec'), 3: one('status', 'core.ServiceStatus') },
    'core.ServiceSpec': {
      1: list('ports', 'core.ServicePort'),
      2: map('selector'),
      3: str('clusterIP'),
      18: list('clusterIPs', 'string'),
      4: str('type'),
      5: list('externalIPs', 'string'),
      7: str('sessionAffinity'),
      8: str('loadBalancerIP'),
      9: list('loadBalancerSourceRanges', 'string'),
      10: str('externalName'),
      11: str('externalTrafficPolicy'),
      12: i32('healthCheckNodePort'),
      13: bool('publishNotReadyAddresses'),
      14: one('sessionAffinityConfig', 'core.SessionAffinityConfig', ptr),
      19: list('ipFamilies', 'string'),
      17: str('ipFamilyPolicy', ptr),
      20: bool('allocateLoadBalancerNodePorts', ptr),
      21: str('loadBalancerClass', ptr),
      22: str('internalTrafficPolicy', ptr),
      23: str('trafficDistribution', ptr),
    },
    'core.ServicePort': {
      1: str('name'),
      2: str('protocol'),
      6: str('appProtocol', ptr),
      3: i32('port', always),
      4: one('targetPort', 'IntOrString'),
      5: i32('nodePort'),
    },
    'core.SessionAffinityConfig': { 1: one('clientIP', 'core.ClientIPConfig', ptr) },
    'core.ClientIPConfig': { 1: i32('timeoutSeconds', ptr) },
    'core.ServiceStatus': {
      1: one('loadBalancer', 'core.LoadBalancerStatus'),
      2: list('conditions', 'meta.Condition'),
    },
    'core.LoadBalancerStatus': { 1: list('ingress', 'core.LoadBalancerIngress') },
    'core.LoadBalancerIngress': {
      1: str('ip'),
      2: str('hostname'),
      3: str('ipMode', ptr),
      4: list('ports', 'core.PortStatus'),
    },
    'core.PortStatus': { 1: i32('port', always), 2: str('protocol', always), 3: str('error', ptr) },
  };
}

function podStatusMessages(): MessageTable {
  return {
    'core.PodStatus': {
      17: i64('observedGeneration'),
      1: str('phase'),
      2: list('conditions', 'core.PodCondition'),
      3: str('message'),
      4: str('reason'),
      11: str('nominatedNodeName'),
      5: str('hostIP'),
      16: list('hostIPs', 'core.HostIP'),
      6: str('podIP'),
      12: list('podIPs', 'core.PodIP'),
      7: one('startTime', 'Time', ptr),
      10: list('initContainerStatuses', 'core.ContainerStatus'),
      8: list('containerStatuses', 'core.ContainerStatus'),
      9: str('qosClass'),
      13: list('ephemeralContainerStatuses', 'core.ContainerStatus'),
      14: str('resize'),
    },
    'core.PodCondition': {
      1: str('type', always),
      7: i64('observedGeneration'),
      2: str('status', always),
      3: one('lastProbeTime', 'Time'),
      4: one('lastTransitionTime', 'Time'),
      5: str('reason'),
      6: str('message'),
    },
    'core.HostIP': { 1: str('ip', always) },
    'core.PodIP': { 1: str('ip', always) },
    'core.ContainerStatus': {
      1: str('name', always),
      2: one('state', 'core.ContainerState'),
      3: one('lastState', 'core.ContainerState'),
      4: bool('ready', always),
      5: i32('restartCount', always),
      6: str('image', always),
      7: str('imageID', always),
      8: str('containerID'),
      9: bool('started', ptr),
      10: map('allocatedResources', 'Quantity'),
      11: one('resources', 'core.ResourceRequirements', ptr),
      15: str('stopSignal', ptr),
    },
    'core.ContainerState': {
      1: one('waiting', 'core.ContainerStateWaiting', ptr),
      2: one('running', 'core.ContainerStateRunning', ptr),
      3: one('terminated', 'core.ContainerStateTerminated', ptr),
    },
    'core.ContainerStateWaiting': { 1: str('reason'), 2: str('message') },
    'core.ContainerStateRunning': { 1: one('startedAt', 'Time') },
    'core.ContainerStateTerminated': {
      1: i32('exitCode', always),
      2: i32('signal'),
      3: str('reason'),
      4: str('message'),
      5: one('startedAt', 'Time'),
      6: one('finishedAt', 'Time'),
      7: str('containerID'),
    },
  };
}
