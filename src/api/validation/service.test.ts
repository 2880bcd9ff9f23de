import { describe } from 'node:test';
import { type Case, runCases, svc } from './testing.js';

const dns1035 =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const create: Case[] = [
  { name: 'valid ClusterIP service', obj: svc({}), want: [] },
  {
    name: 'upper-case name',
    obj: svc({}, 'Web'),
    want: [{ type: 'FieldValueInvalid', field: 'metadata.name', message: `metadata.name: Invalid value: "Web": ${dns1035}` }],
  },
  { name: 'name starting with a digit', obj: svc({}, '1web'), want: [{ type: 'FieldValueInvalid', field: 'metadata.name' }] },
  { name: 'no name', obj: { metadata: { namespace: 'default' }, spec: { ports: [{ port: 80 }] } }, want: [{ type: 'FieldValueRequired', field: 'metadata.name' }] },
  { name: 'generateName with trailing dash', obj: { metadata: { generateName: 'web-', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }, want: [] },
  {
    name: 'port 0',
    obj: svc({ ports: [{ port: 0, targetPort: 80 }] }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.ports[0].port', message: 'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive' }],
  },
  {
    name: 'port 70000',
    obj: svc({ ports: [{ port: 70000 }] }),
    want: [
      { type: 'FieldValueInvalid', field: 'spec.ports[0].port', message: 'must be between 1 and 65535, inclusive' },
      { type: 'FieldValueInvalid', field: 'spec.ports[0].targetPort' },
    ],
  },
  { name: 'no ports', obj: svc({ ports: [] }), want: [{ type: 'FieldValueRequired', field: 'spec.ports' }] },
  { name: 'headless without ports', obj: svc({ ports: [], clusterIP: 'None' }), want: [] },
  { name: 'two ports, one unnamed', obj: svc({ ports: [{ port: 80, name: 'http' }, { port: 443 }] }), want: [{ type: 'FieldValueRequired', field: 'spec.ports[1].name' }] },
  {
    name: 'duplicate port names',
    obj: svc({ ports: [{ port: 80, name: 'http' }, { port: 81, name: 'http' }] }),
    want: [{ type: 'FieldValueDuplicate', field: 'spec.ports[1].name' }],
  },
  {
    name: 'duplicate port and protocol',
    obj: svc({ ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] }),
    want: [{ type: 'FieldValueDuplicate', field: 'spec.ports[1]' }],
  },
  { name: 'same port, different protocols', obj: svc({ ports: [{ port: 53, name: 'a' }, { port: 53, name: 'b', protocol: 'UDP' }] }), want: [] },
  { name: 'unknown protocol', obj: svc({ ports: [{ port: 80, protocol: 'ICMP' }] }), want: [{ type: 'FieldValueNotSupported', field: 'spec.ports[0].protocol' }] },
  { name: 'named targetPort', obj: svc({ ports: [{ port: 80, targetPort: 'http' }] }), want: [] },
  { name: 'targetPort name too long', obj: svc({ ports: [{ port: 80, targetPort: 'a-very-long-port-name' }] }), want: [{ type: 'FieldValueInvalid', field: 'spec.ports[0].targetPort' }] },
  {
    name: 'nodePort on ClusterIP',
    obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }),
    want: [{ type: 'FieldValueForbidden', field: 'spec.ports[0].nodePort', message: "may not be used when `type` is 'ClusterIP'" }],
  },
  { name: 'nodePort on NodePort', obj: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), want: [] },
  { name: 'invalid clusterIP', obj: svc({ clusterIP: '10.96.0.300' }), want: [{ type: 'FieldValueInvalid', field: 'spec.clusterIP' }] },
  { name: 'None for NodePort', obj: svc({ type: 'NodePort', clusterIP: 'None' }), want: [{ type: 'FieldValueInvalid', field: 'spec.clusterIP' }] },
  { name: 'unknown type', obj: svc({ type: 'Magic' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.type' }] },
  { name: 'ExternalName', obj: svc({ type: 'ExternalName', externalName: 'example.com.', ports: [] }), want: [] },
  { name: 'ExternalName without name', obj: svc({ type: 'ExternalName', ports: [] }), want: [{ type: 'FieldValueRequired', field: 'spec.externalName' }] },
  {
    name: 'ExternalName with clusterIP',
    obj: svc({ type: 'ExternalName', externalName: 'example.com', clusterIP: '10.96.0.5' }),
    want: [{ type: 'FieldValueForbidden', field: 'spec.clusterIP' }],
  },
  {
    name: 'sessionAffinityConfig with None',
    obj: svc({ sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
    want: [{ type: 'FieldValueForbidden', field: 'spec.sessionAffinityConfig' }],
  },
  { name: 'ClientIP gets its timeout defaulted', obj: svc({ sessionAffinity: 'ClientIP' }), want: [] },
  {
    name: 'ClientIP timeout too long',
    obj: svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.sessionAffinityConfig.clientIP.timeoutSeconds' }],
  },
  { name: 'bad session affinity', obj: svc({ sessionAffinity: 'Sticky' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.sessionAffinity' }] },
  { name: 'loopback externalIP', obj: svc({ externalIPs: ['127.0.0.1'] }), want: [{ type: 'FieldValueInvalid', field: 'spec.externalIPs[0]' }] },
  { name: 'valid externalIP', obj: svc({ externalIPs: ['192.0.2.10'] }), want: [] },
  {
    name: 'externalTrafficPolicy on ClusterIP',
    obj: svc({ externalTrafficPolicy: 'Local' }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.externalTrafficPolicy', message: 'may only be set for externally-accessible services' }],
  },
  { name: 'LoadBalancer with Local policy', obj: svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), want: [] },
  { name: 'bad internalTrafficPolicy', obj: svc({ internalTrafficPolicy: 'Nearby' }), want: [{ type: 'FieldValueNotSupported', field: 'spec.internalTrafficPolicy' }] },
  { name: 'sourceRanges on ClusterIP', obj: svc({ loadBalancerSourceRanges: ['10.0.0.0/8'] }), want: [{ type: 'FieldValueForbidden', field: 'spec.LoadBalancerSourceRanges' }] },
  { name: 'bad sourceRange', obj: svc({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0'] }), want: [{ type: 'FieldValueInvalid', field: 'spec.LoadBalancerSourceRanges' }] },
  { name: 'allocateLoadBalancerNodePorts on ClusterIP', obj: svc({ allocateLoadBalancerNodePorts: true }), want: [{ type: 'FieldValueForbidden', field: 'spec.allocateLoadBalancerNodePorts' }] },
  { name: 'bad selector value', obj: svc({ selector: { app: 'a b' } }), want: [{ type: 'FieldValueInvalid', field: 'spec.selector' }] },
  { name: 'two families SingleStack', obj: svc({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] }), want: [{ type: 'FieldValueInvalid', field: 'spec.ipFamilies' }] },
  { name: 'clusterIPs mismatch', obj: svc({ clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.6'] }), want: [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]' }] },
];

const update: Case[] = [
  {
    name: 'changed clusterIP',
    old: svc({ clusterIP: '10.96.0.5' }),
    obj: svc({ clusterIP: '10.96.0.6' }),
    want: [{ type: 'FieldValueInvalid', field: 'spec.clusterIP', message: 'spec.clusterIP: Invalid value: "10.96.0.6": field is immutable' }],
  },
  { name: 'same clusterIP', old: svc({ clusterIP: '10.96.0.5' }), obj: svc({ clusterIP: '10.96.0.5' }), want: [] },
  { name: 'to ExternalName drops clusterIP', old: svc({ clusterIP: '10.96.0.5' }), obj: svc({ type: 'ExternalName', externalName: 'example.com' }), want: [] },
  {
    name: 'namespace changed',
    old: svc({ clusterIP: '10.96.0.5' }),
    obj: { ...svc({ clusterIP: '10.96.0.5' }), metadata: { name: 'web', namespace: 'other' } },
    want: [{ type: 'FieldValueInvalid', field: 'metadata.namespace' }],
  },
];

describe('Service create validation', () => runCases(create, { group: '', kind: 'Service' }));
describe('Service update validation', () => runCases(update, { group: '', kind: 'Service' }));
