import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { goArch, microTime, nodeStatus, planNodeObject, type NodeFacts, type SimulatedNode } from './node-object.js';
import { simulatedNodeSpecs } from './simulated-node.js';

const node: SimulatedNode = { name: 'sim-node-2', podCIDR: '10.244.2.0/24', internalIP: '10.243.0.4' };
const facts: NodeFacts = { arch: 'amd64', kernelVersion: '6.1.0', capacity: { cpu: '16', memory: '64Gi', pods: '110' } };

describe('planNodeObject', () => {
  test('a new node gets the labels and its pod CIDR', () => {
    const planned = planNodeObject(undefined, node, facts);
    assert.equal(planned?.metadata.labels?.['kubernetes.io/hostname'], 'sim-node-2');
    assert.equal(planned?.metadata.labels?.type, 'simulated');
    assert.deepEqual(planned?.spec, { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] });
  });

  const cases: { name: string; existing: KubeObject; want: (n: KubeObject | undefined) => void }[] = [
    {
      name: 'an up-to-date node needs no write',
      existing: planNodeObject(undefined, node, facts) as KubeObject,
      want: (n) => assert.equal(n, undefined),
    },
    {
      name: 'labels and taints set by others stay',
      existing: { metadata: { name: 'sim-node-2', labels: { zone: 'a' } }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } },
      want: (n) => {
        assert.equal(n?.metadata.labels?.zone, 'a');
        assert.deepEqual((n?.spec as { taints: unknown[] }).taints, [{ key: 'k', effect: 'NoSchedule' }]);
      },
    },
    {
      name: 'a podCIDR already set is kept (it may be set only once)',
      existing: { metadata: { name: 'sim-node-2' }, spec: { podCIDR: '10.244.9.0/24' } },
      want: (n) => assert.deepEqual(n?.spec, { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.9.0/24'] }),
    },
  ];
  for (const c of cases) test(c.name, () => c.want(planNodeObject(c.existing, node, facts)));
});

test('nodeStatus keeps lastTransitionTime while a condition holds', () => {
  const first = nodeStatus(undefined, node, facts, new Date('2026-11-22T03:00:00Z'));
  const later = nodeStatus({ metadata: {}, status: first }, node, facts, new Date('2026-11-22T03:05:00Z'));
  const ready = (later.conditions as Record<string, string>[]).find((c) => c.type === 'Ready');
  assert.equal(ready?.lastTransitionTime, '2026-11-22T03:00:00Z');
  assert.equal(ready?.lastHeartbeatTime, '2026-11-22T03:05:00Z');
});

test('microTime has six fractional digits', () => {
  assert.equal(microTime(new Date('2026-11-22T03:00:00.123Z')), '2026-11-22T03:00:00.123000Z');
});

test('goArch names architectures as Go does', () => {
  assert.deepEqual(['x64', 'arm64', 'riscv64'].map(goArch), ['amd64', 'arm64', 'riscv64']);
});

test('simulatedNodeSpecs: names, CIDRs and addresses', () => {
  assert.deepEqual(simulatedNodeSpecs({ count: 2 }), [
    { name: 'sim-node-0', podCIDR: '10.244.0.0/24', internalIP: '10.243.0.2' },
    { name: 'sim-node-1', podCIDR: '10.244.1.0/24', internalIP: '10.243.0.3' },
  ]);
  assert.throws(() => simulatedNodeSpecs({ count: 257 }), /room for 256/);
});
