import { describe } from 'node:test';
import { type Case, runCases } from './testing.js';

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', ...extra });

const cases: Case[] = [
  { name: 'namespace ok', kind: 'Namespace', obj: { metadata: { name: 'team-a' } }, want: [] },
  { name: 'namespace with dot', kind: 'Namespace', obj: { metadata: { name: 'team.a' } }, want: [{ type: 'FieldValueInvalid', field: 'metadata.name' }] },
  { name: 'namespace has no namespace', kind: 'Namespace', obj: { metadata: { name: 'a', namespace: 'b' } }, want: [{ type: 'FieldValueForbidden', field: 'metadata.namespace' }] },
  { name: 'configmap keys', kind: 'ConfigMap', obj: { metadata: meta('c'), data: { 'app.conf': 'x', 'bad key': 'y' } }, want: [{ type: 'FieldValueInvalid', field: 'data[bad key]', message: 'a valid config key must consist of alphanumeric characters' }] },
  { name: 'configmap duplicate binary key', kind: 'ConfigMap', obj: { metadata: meta('c'), data: { a: 'x' }, binaryData: { a: 'eA==' } }, want: [{ type: 'FieldValueInvalid', field: 'binaryData[a]' }] },
  { name: 'tls secret needs keys', kind: 'Secret', obj: { metadata: meta('s'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }, want: [{ type: 'FieldValueRequired', field: 'data[tls.key]' }] },
  { name: 'endpoints ok', kind: 'Endpoints', obj: { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }] }] }, want: [] },
  {
    name: 'endpoints bad ip and port',
    kind: 'Endpoints',
    obj: { metadata: meta('web'), subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 0 }] }] },
    want: [
      { type: 'FieldValueInvalid', field: 'subsets[0].addresses[0].ip' },
      { type: 'FieldValueInvalid', field: 'subsets[0].ports[0].port' },
    ],
  },
  { name: 'endpoints two unnamed ports', kind: 'Endpoints', obj: { metadata: meta('web'), subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80, name: 'a' }, { port: 81 }] }] }, want: [{ type: 'FieldValueRequired', field: 'subsets[0].ports[1].name' }] },
  { name: 'lease negative duration', group: 'coordination.k8s.io', kind: 'Lease', obj: { metadata: meta('n1'), spec: { leaseDurationSeconds: 0 } }, want: [{ type: 'FieldValueInvalid', field: 'spec.leaseDurationSeconds' }] },
  { name: 'node bad taint effect', kind: 'Node', obj: { metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Never' }] } }, want: [{ type: 'FieldValueNotSupported', field: 'spec.taints[0].effect' }] },
  { name: 'event namespace mismatch', kind: 'Event', obj: { metadata: meta('e.1'), involvedObject: { kind: 'Pod', namespace: 'other' } }, want: [{ type: 'FieldValueInvalid', field: 'involvedObject.namespace' }] },
  { name: 'serviceaccount name', kind: 'ServiceAccount', obj: { metadata: meta('Bad_Name') }, want: [{ type: 'FieldValueInvalid', field: 'metadata.name' }] },
];

const slice = (addressType: string, addresses: string[], extra: Record<string, unknown> = {}) => ({
  metadata: meta('web-abc'),
  addressType,
  endpoints: [{ addresses, conditions: { ready: true } }],
  ports: [{ name: 'http', port: 8080 }],
  ...extra,
});

const slices: Case[] = [
  { name: 'IPv4 slice', obj: slice('IPv4', ['10.244.0.5']), want: [] },
  { name: 'IPv6 address in IPv4 slice', obj: slice('IPv4', ['fd00::5']), want: [{ type: 'FieldValueInvalid', field: 'endpoints[0].addresses[0]' }] },
  { name: 'IPv6 slice', obj: slice('IPv6', ['fd00::5']), want: [] },
  { name: 'FQDN slice', obj: slice('FQDN', ['example.com']), want: [] },
  { name: 'unknown address type', obj: slice('IPv5', ['10.0.0.1']), want: [{ type: 'FieldValueNotSupported', field: 'addressType' }] },
  { name: 'no addresses', obj: slice('IPv4', []), want: [{ type: 'FieldValueRequired', field: 'endpoints[0].addresses' }] },
  {
    name: 'too many endpoints',
    obj: { ...slice('IPv4', ['10.0.0.1']), endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) },
    want: [{ type: 'FieldValueTooMany', field: 'endpoints' }],
  },
  { name: 'duplicate port names', obj: slice('IPv4', ['10.0.0.1'], { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }), want: [{ type: 'FieldValueDuplicate', field: 'ports[1].name' }] },
  { name: 'addressType immutable', old: slice('IPv4', ['10.0.0.1']), obj: slice('IPv6', ['fd00::1']), want: [{ type: 'FieldValueInvalid', field: 'addressType', message: 'field is immutable' }] },
];

describe('core kinds validation', () => runCases(cases, { group: '', kind: 'Namespace' }));
describe('EndpointSlice validation', () => runCases(slices, { group: 'discovery.k8s.io', kind: 'EndpointSlice' }));
