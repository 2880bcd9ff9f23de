import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import { evictionDueMs, planNodeLifecycle, type NodeLifecycleInput, type NodeLifecyclePlan, type Taint } from './plan.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): number => t0 + s * 1000;
const iso = (s: number): string => new Date(at(s)).toISOString().replace(/\.\d{3}Z$/, 'Z');

function node(ready: string | undefined, taints: Taint[] = []): KubeObject {
  return {
    metadata: { name: 'n1' },
    spec: taints.length ? { taints } : {},
    status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
  };
}

const defaultTolerations = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function pod(name: string, opts: { ready?: boolean; tolerations?: unknown[]; deleting?: boolean } = {}): KubeObject {
  return {
    metadata: { name, namespace: 'ns', ...(opts.deleting ? { deletionTimestamp: iso(0) } : {}) },
    spec: { nodeName: 'n1', tolerations: opts.tolerations ?? defaultTolerations },
    status: { conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

const unreachable = (addedS: number): Taint[] => [
  { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(addedS) },
];

function input(over: Partial<NodeLifecycleInput>): NodeLifecycleInput {
  return { node: node('True'), pods: [], lastHeartbeatMs: at(0), nowMs: at(10), gracePeriodMs: 40_000, evictionTimeoutMs: 300_000, ...over };
}

const none: NodeLifecyclePlan = { markUnknown: false, podsNotReady: [], evict: [] };

const cases: { name: string; input: NodeLifecycleInput; want: NodeLifecyclePlan }[] = [
  { name: 'healthy node within its grace period: nothing', input: input({ pods: [pod('a')] }), want: none },
  {
    name: 'silent past the grace period: Unknown, unreachable taints, pods not ready',
    input: input({ nowMs: at(41), pods: [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })] }),
    want: { markUnknown: true, taints: unreachable(41), podsNotReady: ['ns/a'], evict: [] },
  },
  {
    name: 'already Unknown and tainted, before the toleration expires: nothing new',
    input: input({ node: node('Unknown', unreachable(41)), nowMs: at(100), pods: [pod('a', { ready: false })] }),
    want: none,
  },
  {
    name: 'toleration expired: pod evicted; pod tolerating forever stays',
    input: input({
      node: node('Unknown', unreachable(41)),
      nowMs: at(341),
      pods: [pod('a', { ready: false }), pod('ds', { ready: false, tolerations: [{ operator: 'Exists' }] })],
    }),
    want: { ...none, evict: ['ns/a'] },
  },
  {
    name: 'eviction timeout shorter than the toleration caps the wait',
    input: input({ node: node('Unknown', unreachable(41)), nowMs: at(46), evictionTimeoutMs: 5000, pods: [pod('a', { ready: false })] }),
    want: { ...none, evict: ['ns/a'] },
  },
  {
    name: 'untolerated NoExecute taint: evicted at once',
    input: input({ node: node('Unknown', unreachable(41)), nowMs: at(42), pods: [pod('a', { ready: false, tolerations: [] })] }),
    want: { ...none, evict: ['ns/a'] },
  },
  {
    name: 'node reports Ready again with a fresh lease: our taints removed, others kept',
    input: input({
      node: node('True', [...unreachable(41), { key: 'dedicated', value: 'db', effect: 'NoSchedule' }]),
      lastHeartbeatMs: at(90),
      nowMs: at(91),
    }),
    want: { ...none, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] },
  },
  {
    name: 'lease fresh but Ready still Unknown: taints stay until the node says Ready',
    input: input({ node: node('Unknown', unreachable(41)), lastHeartbeatMs: at(90), nowMs: at(91) }),
    want: none,
  },
  {
    name: 'node reports Ready=False: not-ready taints, pods not ready',
    input: input({ node: node('False'), pods: [pod('a')] }),
    want: {
      ...none,
      taints: [
        { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(10) },
      ],
      podsNotReady: ['ns/a'],
    },
  },
  {
    name: 'never reported, silent: marked Unknown',
    input: input({ node: node(undefined), nowMs: at(50) }),
    want: { ...none, markUnknown: true, taints: unreachable(50) },
  },
];

describe('planNodeLifecycle', () => {
  for (const c of cases) test(c.name, () => assert.deepEqual(planNodeLifecycle(c.input), c.want));
});

describe('evictionDueMs', () => {
  test('shortest bounded matching toleration counts', () => {
    const p = pod('a', { tolerations: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }, ...defaultTolerations] });
    assert.equal(evictionDueMs(p, unreachable(0), { nowMs: at(1), evictionTimeoutMs: 300_000 }), at(60));
  });
  test('no NoExecute taints: never', () => {
    assert.equal(evictionDueMs(pod('a'), [{ key: 'x', effect: 'NoSchedule' }], { nowMs: at(1), evictionTimeoutMs: 1 }), Infinity);
  });
});
