/**
 * core/v1 Service and Endpoints, modelled field by field: they are the heart of service discovery.
 */

import {
  type Definition,
  type FieldSchema,
  atomicList,
  bool,
  coreV1,
  field,
  int32,
  intOrString,
  kindObject,
  object,
  ref,
  str,
  stringMap,
  strings,
  t,
} from './dsl.js';
import { conditionsField } from './meta.js';

const protocol = (d: string): FieldSchema => str(d, { goType: 'v1.Protocol' });

const serviceSpec = object(coreV1('ServiceSpec'), 'How a Service is exposed and which pods back it.', {
  ports: field(t.list(t.ref(coreV1('ServicePort'))), 'Ports the Service exposes.', {
    patchStrategy: 'merge',
    mergeKey: 'port',
    listType: 'map',
    listMapKeys: ['port', 'protocol'],
  }),
  selector: stringMap('Labels of the pods that back the Service. Without a selector, endpoints are managed by hand.', {
    mapType: 'atomic',
  }),
  clusterIP: str('Virtual IP of the Service, allocated unless given. `None` makes the Service headless.'),
  clusterIPs: strings('Virtual IPs of the Service, one per IP family; the first equals `clusterIP`.'),
  type: str('`ClusterIP` (default), `NodePort`, `LoadBalancer` or `ExternalName`.', { goType: 'v1.ServiceType' }),
  externalIPs: strings('Extra IPs on which nodes accept traffic for the Service.'),
  sessionAffinity: str('`ClientIP` keeps each client on one endpoint; `None` (default) does not.'),
  loadBalancerIP: str('Deprecated: requested load balancer IP.'),
  loadBalancerSourceRanges: strings('Client CIDRs allowed through the load balancer.'),
  externalName: str('For `ExternalName` Services: the DNS name the Service name is a CNAME for.'),
  externalTrafficPolicy: str('`Cluster` or `Local`: whether external traffic may go to endpoints on other nodes.'),
  healthCheckNodePort: int32('Node port serving health checks for `externalTrafficPolicy: Local`.'),
  publishNotReadyAddresses: bool('Publish endpoints of pods that are not ready, e.g. for StatefulSet peer discovery.'),
  sessionAffinityConfig: ref(coreV1('SessionAffinityConfig'), 'Settings for session affinity.'),
  ipFamilies: strings('IP families of the Service: `IPv4` and/or `IPv6`.'),
  ipFamilyPolicy: str('`SingleStack`, `PreferDualStack` or `RequireDualStack`.'),
  allocateLoadBalancerNodePorts: bool('Whether LoadBalancer Services get node ports. Default true.'),
  loadBalancerClass: str('Load balancer implementation responsible for the Service.'),
  internalTrafficPolicy: str('`Cluster` or `Local`: whether in-cluster traffic may go to endpoints on other nodes.'),
  trafficDistribution: str('Preference for routing to topologically close endpoints, e.g. `PreferClose`.'),
});

const servicePort = object(coreV1('ServicePort'), 'A port of a Service.', {
  name: str('Name of the port; required when the Service has more than one. Used in SRV records.'),
  protocol: protocol('`TCP` (default), `UDP` or `SCTP`.'),
  appProtocol: str('Application protocol, e.g. `http`, `kubernetes.io/h2c`.'),
  port: int32('Port the Service listens on.', { required: true }),
  targetPort: intOrString('Port number or container port name on the pods. Defaults to `port`.'),
  nodePort: int32('Port on every node for `NodePort` and `LoadBalancer` Services; allocated unless given.'),
});

const sessionAffinityConfig = object(coreV1('SessionAffinityConfig'), 'Session affinity settings.', {
  clientIP: ref(coreV1('ClientIPConfig'), 'Settings for `ClientIP` affinity.'),
});

const clientIPConfig = object(coreV1('ClientIPConfig'), 'ClientIP affinity settings.', {
  timeoutSeconds: int32('Seconds a client sticks to one endpoint. Default 10800 (3 hours).'),
});

const serviceStatus = object(coreV1('ServiceStatus'), 'The observed state of a Service.', {
  loadBalancer: ref(coreV1('LoadBalancerStatus'), 'The load balancer, when there is one.'),
  conditions: conditionsField('Current conditions of the Service.'),
});

const loadBalancerStatus = object(coreV1('LoadBalancerStatus'), 'The state of a load balancer.', {
  ingress: atomicList(coreV1('LoadBalancerIngress'), 'Addresses of the load balancer.'),
});

const loadBalancerIngress = object(coreV1('LoadBalancerIngress'), 'An address of a load balancer.', {
  ip: str('IP address.'),
  hostname: str('DNS name.'),
  ipMode: str('`VIP` (traffic arrives for the load balancer IP) or `Proxy`.'),
  ports: atomicList(coreV1('PortStatus'), 'State of each port.'),
});

const portStatus = object(coreV1('PortStatus'), 'The state of one load balancer port.', {
  port: int32('Port number.', { required: true }),
  protocol: protocol('`TCP`, `UDP` or `SCTP`.'),
  error: str('Why the port is not working, if it is not.'),
});

const service = kindObject(
  { group: '', version: 'v1', kind: 'Service' },
  coreV1('Service'),
  'A stable name and virtual IP in front of a set of pods, chosen by label selector.',
  {
    spec: ref(coreV1('ServiceSpec'), 'Desired behaviour of the Service.'),
    status: ref(coreV1('ServiceStatus'), 'Observed state of the Service.'),
  },
);

const endpoints = kindObject(
  { group: '', version: 'v1', kind: 'Endpoints' },
  coreV1('Endpoints'),
  'The addresses and ports backing a Service (legacy form; see EndpointSlice).',
  {
    // No patch strategy upstream: the whole list is replaced.
    subsets: atomicList(coreV1('EndpointSubset'), 'Groups of addresses sharing the same ports.'),
  },
);

const endpointSubset = object(coreV1('EndpointSubset'), 'Addresses and the ports each of them serves.', {
  addresses: atomicList(coreV1('EndpointAddress'), 'Addresses that are ready to serve.'),
  notReadyAddresses: atomicList(coreV1('EndpointAddress'), 'Addresses that are not ready yet.'),
  ports: atomicList(coreV1('EndpointPort'), 'Ports served at every address.'),
});

const endpointAddress = object(
  coreV1('EndpointAddress'),
  'One endpoint address.',
  {
    ip: str('IP address.', { required: true }),
    hostname: str('Hostname of the endpoint, for DNS.'),
    nodeName: str('Node hosting the endpoint.'),
    targetRef: ref(coreV1('ObjectReference'), 'The object (usually a Pod) behind the address.'),
  },
  { atomic: true },
);

const endpointPort = object(
  coreV1('EndpointPort'),
  'A port of an endpoint.',
  {
    name: str('Name matching the Service port name.'),
    port: int32('Port number.', { required: true }),
    protocol: protocol('`TCP` (default), `UDP` or `SCTP`.'),
    appProtocol: str('Application protocol.'),
  },
  { atomic: true },
);

export const serviceDefinitions: Definition[] = [
  service,
  serviceSpec,
  servicePort,
  sessionAffinityConfig,
  clientIPConfig,
  serviceStatus,
  loadBalancerStatus,
  loadBalancerIngress,
  portStatus,
  endpoints,
  endpointSubset,
  endpointAddress,
  endpointPort,
];
