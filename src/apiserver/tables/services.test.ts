import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { ago, rowByColumn } from './testing.js';

interface ServiceOptions {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: Record<string, unknown>[];
  selector?: Record<string, string>;
  externalIPs?: string[];
  externalName?: string;
  ingress?: Record<string, string>[];
}

function newService(options: ServiceOptions = {}): KubeObject {
  const clusterIP = options.clusterIP ?? '10.96.0.20';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(300) },
    spec: {
      type: options.type ?? 'ClusterIP',
      ...(clusterIP ? { clusterIP, clusterIPs: options.clusterIPs ?? [clusterIP] } : {}),
      ports: options.ports ?? [{ port: 5000, protocol: 'TCP', targetPort: 5000 }],
      ...(options.selector ? { selector: options.selector } : {}),
      ...(options.externalIPs ? { externalIPs: options.externalIPs } : {}),
      ...(options.externalName ? { externalName: options.externalName } : {}),
    },
    status: { loadBalancer: options.ingress ? { ingress: options.ingress } : {} },
  };
}

describe('services', () => {
  const cases: [string, KubeObject, Record<string, unknown>][] = [
    [
      'ClusterIP',
      newService({ selector: { app: 'web' } }),
      { Name: 'web', Type: 'ClusterIP', 'Cluster-IP': '10.96.0.20', 'External-IP': '<none>', 'Port(s)': '5000/TCP', Age: '5m', Selector: 'app=web' },
    ],
    [
      'NodePort shows the node port',
      newService({ type: 'NodePort', ports: [{ port: 8080, nodePort: 30120, protocol: 'TCP' }] }),
      { Type: 'NodePort', 'External-IP': '<none>', 'Port(s)': '8080:30120/TCP' },
    ],
    ['headless', newService({ clusterIP: 'None' }), { 'Cluster-IP': 'None' }],
    [
      'only the singular clusterIP set',
      { ...newService(), spec: { type: 'ClusterIP', clusterIP: '10.96.3.4', ports: [] } },
      { 'Cluster-IP': '10.96.3.4', 'Port(s)': '<none>' },
    ],
    [
      'LoadBalancer without ingress is pending',
      newService({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31000, protocol: 'TCP' }] }),
      { 'External-IP': '<pending>', 'Port(s)': '80:31000/TCP' },
    ],
    [
      'LoadBalancer ingress IPs and hostnames, sorted and de-duplicated',
      newService({ type: 'LoadBalancer', ingress: [{ ip: '192.0.2.9' }, { hostname: 'lb.example.com' }, { ip: '192.0.2.1' }, { ip: '192.0.2.9' }] }),
      { 'External-IP': '192.0.2.1,192.0.2.9,lb.example.com' },
    ],
    [
      'LoadBalancer ingress then externalIPs',
      newService({ type: 'LoadBalancer', ingress: [{ ip: '192.0.2.1' }], externalIPs: ['198.51.100.7'] }),
      { 'External-IP': '192.0.2.1,198.51.100.7' },
    ],
    [
      'LoadBalancer with only externalIPs',
      newService({ type: 'LoadBalancer', externalIPs: ['198.51.100.7'] }),
      { 'External-IP': '198.51.100.7' },
    ],
    ['ClusterIP with externalIPs', newService({ externalIPs: ['198.51.100.7', '198.51.100.8'] }), { 'External-IP': '198.51.100.7,198.51.100.8' }],
    [
      'ExternalName',
      newService({ type: 'ExternalName', clusterIP: '', externalName: 'db.example.com', ports: [] }),
      { Type: 'ExternalName', 'Cluster-IP': '<none>', 'External-IP': 'db.example.com', 'Port(s)': '<none>' },
    ],
    [
      'multiple ports and protocols',
      newService({ ports: [{ port: 53, protocol: 'UDP', name: 'dns' }, { port: 53, protocol: 'TCP', name: 'dns-tcp' }, { port: 9153, protocol: 'TCP' }] }),
      { 'Port(s)': '53/UDP,53/TCP,9153/TCP' },
    ],
    ['selector sorted by key', newService({ selector: { tier: 'web', app: 'shop' } }), { Selector: 'app=shop,tier=web' }],
    ['no selector', newService(), { Selector: '<none>' }],
  ];
  for (const [name, svc, expected] of cases) {
    test(name, () => {
      const row = rowByColumn('', 'services', svc);
      for (const [column, value] of Object.entries(expected)) assert.equal(row[column], value, column);
    });
  }
});

function newEndpoints(subsets: Record<string, unknown>[]): KubeObject {
  return { metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(30) }, subsets };
}

function addresses(...ips: string[]): Record<string, unknown>[] {
  return ips.map((ip) => ({ ip }));
}

describe('endpoints', () => {
  const cases: [string, KubeObject, string][] = [
    ['no subsets', newEndpoints([]), '<none>'],
    ['two addresses', newEndpoints([{ addresses: addresses('10.244.0.13', '10.244.0.20'), ports: [{ port: 5000 }] }]), '10.244.0.13:5000,10.244.0.20:5000'],
    [
      'more than three truncates',
      newEndpoints([{ addresses: addresses('10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5'), ports: [{ port: 80 }] }]),
      '10.244.0.1:80,10.244.0.2:80,10.244.0.3:80 + 2 more...',
    ],
    [
      'every port of every address, port by port',
      newEndpoints([{ addresses: addresses('10.244.0.1', '10.244.0.2'), ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] }]),
      '10.244.0.1:80,10.244.0.2:80,10.244.0.1:443 + 1 more...',
    ],
    ['headless without ports lists bare IPs', newEndpoints([{ addresses: addresses('10.244.0.1') }]), '10.244.0.1'],
    ['IPv6 addresses are bracketed', newEndpoints([{ addresses: addresses('fd00::1'), ports: [{ port: 80 }] }]), '[fd00::1]:80'],
    ['not-ready addresses are not listed', newEndpoints([{ notReadyAddresses: addresses('10.244.0.1'), ports: [{ port: 80 }] }]), ''],
  ];
  for (const [name, ep, expected] of cases) {
    test(name, () => {
      const row = rowByColumn('', 'endpoints', ep);
      assert.equal(row['Endpoints'], expected);
      assert.equal(row['Age'], '30s');
    });
  }
});

function newSlice(ports: Record<string, unknown>[], endpoints: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc12', namespace: 'default', creationTimestamp: ago(90) },
    addressType: 'IPv4',
    ports,
    endpoints,
  };
}

describe('endpointslices', () => {
  const cases: [string, KubeObject, { Ports: string; Endpoints: string }][] = [
    ['empty slice', newSlice([], []), { Ports: '<unset>', Endpoints: '<unset>' }],
    [
      'ports and addresses',
      newSlice([{ port: 5000, name: '', protocol: 'TCP' }], [{ addresses: ['10.244.0.13'] }, { addresses: ['10.244.0.20'] }]),
      { Ports: '5000', Endpoints: '10.244.0.13,10.244.0.20' },
    ],
    [
      'named port without number, and a port with neither',
      newSlice([{ name: 'http' }, {}], [{ addresses: ['10.244.0.1'] }]),
      { Ports: 'http,*', Endpoints: '10.244.0.1' },
    ],
    [
      'truncation after three',
      newSlice(
        [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }],
        ['10.244.0.1', '10.244.0.2', '10.244.0.3', '10.244.0.4', '10.244.0.5'].map((a) => ({ addresses: [a] })),
      ),
      { Ports: '1,2,3 + 1 more...', Endpoints: '10.244.0.1,10.244.0.2,10.244.0.3 + 2 more...' },
    ],
  ];
  for (const [name, slice, expected] of cases) {
    test(name, () => {
      const row = rowByColumn('discovery.k8s.io', 'endpointslices', slice);
      assert.deepEqual(row, { Name: 'web-abc12', AddressType: 'IPv4', ...expected, Age: '90s' });
    });
  }
});
