import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { ago, rowByColumn } from './testing.js';

interface NodeOptions {
  ready?: 'True' | 'False' | 'Unknown';
  unschedulable?: boolean;
  labels?: Record<string, string>;
  addresses?: { type: string; address: string }[];
  nodeInfo?: Record<string, string>;
}

function newNode(options: NodeOptions = {}): KubeObject {
  return {
    kind: 'Node',
    metadata: { name: 'node-1', creationTimestamp: ago(2 * 86400 + 3 * 3600), labels: options.labels ?? {} },
    spec: options.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: options.ready ? [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: options.ready }] : [],
      addresses: options.addresses ?? [],
      nodeInfo: options.nodeInfo ?? { kubeletVersion: 'v1.32.0-switchboard' },
    },
  };
}

describe('nodes', () => {
  const cases: [string, KubeObject, Record<string, unknown>][] = [
    ['ready', newNode({ ready: 'True' }), { Name: 'node-1', Status: 'Ready', Roles: '<none>', Age: '2d3h', Version: 'v1.32.0-switchboard' }],
    ['not ready', newNode({ ready: 'False' }), { Status: 'NotReady' }],
    ['unknown ready condition', newNode({ ready: 'Unknown' }), { Status: 'NotReady' }],
    ['no Ready condition', newNode(), { Status: 'Unknown' }],
    ['cordoned', newNode({ ready: 'True', unschedulable: true }), { Status: 'Ready,SchedulingDisabled' }],
    [
      'roles from both label forms, sorted',
      newNode({ labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' } }),
      { Roles: 'control-plane,edge,worker' },
    ],
    [
      'wide columns',
      newNode({
        addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.10.0.2' }, { type: 'InternalIP', address: '10.10.0.3' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'switchboard://0.1.0' },
      }),
      { 'Internal-IP': '10.10.0.2', 'External-IP': '<none>', 'OS-Image': 'Debian GNU/Linux 12', 'Kernel-Version': '6.1.0', 'Container-Runtime': 'switchboard://0.1.0' },
    ],
    ['unknown node info', newNode(), { 'OS-Image': '<unknown>', 'Kernel-Version': '<unknown>', 'Container-Runtime': '<unknown>', 'Internal-IP': '<none>' }],
  ];
  for (const [name, node, expected] of cases) {
    test(name, () => {
      const row = rowByColumn('', 'nodes', node);
      for (const [column, value] of Object.entries(expected)) assert.equal(row[column], value, column);
    });
  }
});

describe('namespaces', () => {
  const cases: [string, string | undefined, string][] = [
    ['active', 'Active', 'Active'],
    ['terminating', 'Terminating', 'Terminating'],
    ['no phase yet', undefined, ''],
  ];
  for (const [name, phase, expected] of cases) {
    test(name, () => {
      const ns: KubeObject = { metadata: { name: 'team-a', creationTimestamp: ago(45) }, status: phase ? { phase } : {} };
      assert.deepEqual(rowByColumn('', 'namespaces', ns), { Name: 'team-a', Status: expected, Age: '45s' });
    });
  }
});

function newEvent(fields: Record<string, unknown>): KubeObject {
  return {
    kind: 'Event',
    metadata: { name: 'web-0.17c1', namespace: 'default', creationTimestamp: ago(600) },
    involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{web}' },
    type: 'Normal',
    reason: 'Started',
    message: 'Started container web\n',
    source: { component: 'kubelet', host: 'node-1' },
    ...fields,
  };
}

describe('events', () => {
  test('all columns of a repeated event', () => {
    const event = newEvent({ firstTimestamp: ago(600), lastTimestamp: ago(30), count: 4 });
    assert.deepEqual(rowByColumn('', 'events', event), {
      'Last Seen': '30s',
      Type: 'Normal',
      Reason: 'Started',
      Object: 'pod/web-0',
      Subobject: 'spec.containers{web}',
      Source: 'kubelet, node-1',
      Message: 'Started container web',
      'First Seen': '10m',
      Count: 4,
      Name: 'web-0.17c1',
    });
  });
  test('an events.k8s.io event: eventTime, series, reporting controller', () => {
    const event = newEvent({
      eventTime: '2024-05-01T11:58:00.000000Z',
      series: { count: 7, lastObservedTime: '2024-05-01T11:59:50.000000Z' },
      source: {},
      reportingComponent: 'switchboard-controllers',
      reportingInstance: '',
    });
    const row = rowByColumn('', 'events', event);
    assert.deepEqual([row['First Seen'], row['Last Seen'], row['Count'], row['Source']], ['2m', '10s', 7, 'switchboard-controllers']);
  });
  test('a singleton without timestamps or count', () => {
    const row = rowByColumn('', 'events', newEvent({ involvedObject: { kind: 'Node' } }));
    assert.deepEqual([row['Last Seen'], row['First Seen'], row['Count'], row['Object']], ['<unknown>', '<unknown>', 1, 'node']);
  });
});

describe('configmaps, secrets, serviceaccounts, leases', () => {
  const meta = { name: 'x', namespace: 'default', creationTimestamp: ago(5) };
  const cases: [string, string, string, KubeObject, Record<string, unknown>][] = [
    ['configmap counts data and binaryData', '', 'configmaps', { metadata: meta, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, { Name: 'x', Data: 3, Age: '5s' }],
    ['empty configmap', '', 'configmaps', { metadata: meta }, { Name: 'x', Data: 0, Age: '5s' }],
    ['secret', '', 'secrets', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, { Name: 'x', Type: 'kubernetes.io/tls', Data: 2, Age: '5s' }],
    ['serviceaccount', '', 'serviceaccounts', { metadata: meta, secrets: [{ name: 't' }] }, { Name: 'x', Secrets: 1, Age: '5s' }],
    ['lease', 'coordination.k8s.io', 'leases', { metadata: meta, spec: { holderIdentity: 'node-1' } }, { Name: 'x', Holder: 'node-1', Age: '5s' }],
    ['unheld lease', 'coordination.k8s.io', 'leases', { metadata: meta, spec: {} }, { Name: 'x', Holder: '', Age: '5s' }],
  ];
  for (const [name, group, resource, obj, expected] of cases) {
    test(name, () => assert.deepEqual(rowByColumn(group, resource, obj), expected));
  }
});
