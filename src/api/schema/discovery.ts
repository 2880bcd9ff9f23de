/**
 * discovery.k8s.io/v1 EndpointSlice: how kube-proxy style dataplanes and cluster DNS learn
 * the endpoints of a Service.
 */

import {
  type Definition,
  atomicList,
  bool,
  coreV1,
  discoveryV1,
  field,
  int32,
  kindObject,
  object,
  ref,
  str,
  stringMap,
  t,
} from './dsl.js';

const endpointSlice = kindObject(
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
  discoveryV1('EndpointSlice'),
  'A subset of the endpoints of a Service, linked to it by the `kubernetes.io/service-name` label.',
  {
    addressType: str('Address type of every endpoint: `IPv4`, `IPv6` or `FQDN`.', { required: true }),
    endpoints: { ...atomicList(discoveryV1('Endpoint'), 'The endpoints; at most 1000.'), required: true },
    ports: atomicList(discoveryV1('EndpointPort'), 'Ports served by every endpoint of the slice.'),
  },
);

const endpoint = object(discoveryV1('Endpoint'), 'One backend of a Service.', {
  addresses: field(t.list(t.string), 'Addresses of the endpoint; consumers use the first.', { required: true, listType: 'set' }),
  conditions: ref(discoveryV1('EndpointConditions'), 'Readiness of the endpoint.'),
  hostname: str('Hostname of the endpoint, used for its DNS record.'),
  targetRef: ref(coreV1('ObjectReference'), 'The object (usually a Pod) behind the endpoint.'),
  deprecatedTopology: stringMap('Deprecated topology labels.'),
  nodeName: str('Node hosting the endpoint.'),
  zone: str('Zone of the endpoint.'),
  hints: ref(discoveryV1('EndpointHints'), 'Hints for topology-aware routing.'),
});

const endpointConditions = object(discoveryV1('EndpointConditions'), 'Readiness of an endpoint.', {
  ready: bool('Ready to receive traffic. Unset means true.'),
  serving: bool('Passing readiness checks, even while terminating. Unset means true.'),
  terminating: bool('Being shut down. Unset means false.'),
});

const endpointHints = object(discoveryV1('EndpointHints'), 'Topology hints of an endpoint.', {
  forZones: atomicList(discoveryV1('ForZone'), 'Zones that should use this endpoint.'),
  forNodes: atomicList(discoveryV1('ForNode'), 'Nodes that should use this endpoint.'),
});

const named = (name: string, what: string): Definition =>
  object(discoveryV1(name), `A ${what} hint.`, { name: str(`Name of the ${what}.`, { required: true }) });

const endpointPort = object(
  discoveryV1('EndpointPort'),
  'A port of the endpoints of a slice.',
  {
    name: str('Name matching the Service port name.'),
    protocol: str('`TCP` (default), `UDP` or `SCTP`.', { goType: 'v1.Protocol' }),
    port: int32('Port number on the endpoints (the resolved target port).'),
    appProtocol: str('Application protocol.'),
  },
  { atomic: true },
);

export const discoveryDefinitions: Definition[] = [
  endpointSlice,
  endpoint,
  endpointConditions,
  endpointHints,
  named('ForZone', 'zone'),
  named('ForNode', 'node'),
  endpointPort,
];
