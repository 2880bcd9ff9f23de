import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { computeDaemonSetStatus, type DaemonSetInputs, planDaemonSet, scaledValue } from './plan.js';
import { newDaemonPod, targetNodeOf } from './pod.js';

const now = new Date('2025-01-01T00:10:00Z');

function newNode(name: string, ready = true): KubeObject {
  return { metadata: { name }, status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

let serial = 0;
/** A daemon pod for `node` at template hash `hash`; bound unless `bound: false`. */
function newPod(node: string, opts: { hash?: string; ready?: boolean; phase?: string; terminating?: boolean; bound?: boolean } = {}): KubeObject {
  serial++;
  return {
    metadata: {
      name: `ds-${serial}`,
      uid: `uid-${serial}`,
      creationTimestamp: new Date(Date.UTC(2025, 0, 1, 0, 0, serial)).toISOString(),
      labels: { 'controller-revision-hash': opts.hash ?? 'new' },
      ...(opts.terminating ? { deletionTimestamp: '2025-01-01T00:09:00Z' } : {}),
    },
    spec: opts.bound === false ? newDaemonPod({ set: { metadata: { name: 'ds' } }, template: {}, nodeName: node, hash: 'new' }).spec : { nodeName: node },
    status: {
      phase: opts.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    },
  };
}

function inputs(nodes: KubeObject[], pods: KubeObject[], extra: Partial<DaemonSetInputs> = {}): DaemonSetInputs {
  return { nodes, pods, templateSpec: {}, hash: 'new', maxUnavailable: 1, onDelete: false, minReadySeconds: 0, now, ...extra };
}

function summary(i: DaemonSetInputs): { create: string[]; delete: string[] } {
  const plan = planDaemonSet(i);
  return { create: plan.create, delete: plan.delete.map((p) => targetNodeOf(p) ?? '?') };
}

describe('planDaemonSet', () => {
  const a = newNode('a');
  const b = newNode('b');
  const cases: Array<{ name: string; in: DaemonSetInputs; create: string[]; delete: string[] }> = [
    { name: 'one pod per node', in: inputs([a, b], []), create: ['a', 'b'], delete: [] },
    { name: 'only nodes without a pod', in: inputs([a, b], [newPod('a')]), create: ['b'], delete: [] },
    { name: 'an unbound pod counts for its affinity node', in: inputs([a, b], [newPod('a', { bound: false })]), create: ['b'], delete: [] },
    { name: 'NotReady node gets none', in: inputs([a, newNode('b', false)], [newPod('a')]), create: [], delete: [] },
    { name: 'pod on a node that went away is deleted', in: inputs([a], [newPod('a'), newPod('gone')]), create: [], delete: ['gone'] },
    { name: 'duplicate pods: the newest goes', in: inputs([a], [newPod('a'), newPod('a')]), create: [], delete: ['a'] },
    { name: 'a failed pod is deleted and replaced', in: inputs([a], [newPod('a', { phase: 'Failed' })]), create: ['a'], delete: ['a'] },
    { name: 'a terminating pod is not counted', in: inputs([a], [newPod('a', { terminating: true })]), create: ['a'], delete: [] },
    {
      name: 'nodeSelector mismatch removes the pod',
      in: inputs([a], [newPod('a')], { templateSpec: { nodeSelector: { role: 'edge' } } }),
      create: [],
      delete: ['a'],
    },
    {
      name: 'rolling update replaces maxUnavailable outdated pods',
      in: inputs([a, b], [newPod('a', { hash: 'old' }), newPod('b', { hash: 'old' })]),
      create: [],
      delete: ['a'],
    },
    {
      name: 'rolling update waits while a new pod is unavailable',
      in: inputs([a, b], [newPod('a', { ready: false }), newPod('b', { hash: 'old' })]),
      create: [],
      delete: [],
    },
    {
      name: 'an unavailable outdated pod is replaced at once',
      in: inputs([a, b], [newPod('a', { hash: 'old', ready: false }), newPod('b', { hash: 'old', ready: false })]),
      create: [],
      delete: ['a', 'b'],
    },
    {
      name: 'maxUnavailable as a percentage rounds up',
      in: inputs([a, b, newNode('c')], [newPod('a', { hash: 'old' }), newPod('b', { hash: 'old' }), newPod('c', { hash: 'old' })], { maxUnavailable: '50%' }),
      create: [],
      delete: ['a', 'b'],
    },
    {
      name: 'OnDelete leaves outdated pods',
      in: inputs([a], [newPod('a', { hash: 'old' })], { onDelete: true }),
      create: [],
      delete: [],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(summary(c.in), { create: c.create, delete: c.delete });
    });
  }
});

describe('computeDaemonSetStatus', () => {
  // A pod kept on a NotReady node counts as misscheduled, as upstream counts it.
  test('counts per node', () => {
    const nodes = [newNode('a'), newNode('b'), newNode('c'), newNode('d', false)];
    const pods = [newPod('a'), newPod('b', { hash: 'old', ready: false }), newPod('d')];
    assert.deepEqual(computeDaemonSetStatus({ ...inputs(nodes, pods), generation: 2 }), {
      desiredNumberScheduled: 3,
      currentNumberScheduled: 2,
      numberMisscheduled: 1,
      numberReady: 1,
      numberAvailable: 1,
      numberUnavailable: 2,
      updatedNumberScheduled: 1,
      observedGeneration: 2,
    });
  });

  test('a pod on a node it should not run on is misscheduled', () => {
    const status = computeDaemonSetStatus({ ...inputs([newNode('a')], [newPod('a')], { templateSpec: { nodeSelector: { x: 'y' } } }), generation: 1 });
    assert.equal(status.numberMisscheduled, 1);
    assert.equal(status.desiredNumberScheduled, 0);
  });
});

describe('scaledValue', () => {
  test('counts and percentages', () => {
    assert.equal(scaledValue(2, 10), 2);
    assert.equal(scaledValue('25%', 10), 3);
    assert.equal(scaledValue('0%', 10), 0);
  });
});

describe('newDaemonPod', () => {
  test('pins to the node by affinity and adds the daemon tolerations', () => {
    const pod = newDaemonPod({
      set: { metadata: { name: 'agent', namespace: 'kube-system', uid: 'u', generation: 3 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } },
      nodeName: 'node-a',
      hash: 'h1',
    });
    assert.equal(targetNodeOf(pod), 'node-a');
    assert.equal((pod.spec as Record<string, unknown>).nodeName, undefined);
    assert.equal(pod.metadata.generateName, 'agent-');
    assert.deepEqual(pod.metadata.labels, { app: 'agent', 'controller-revision-hash': 'h1', 'pod-template-generation': '3' });
    const tolerations = (pod.spec as { tolerations: Array<{ key: string }> }).tolerations.map((t) => t.key);
    assert.equal(tolerations.filter((k) => k === 'node.kubernetes.io/unschedulable').length, 1);
    assert.ok(tolerations.includes('node.kubernetes.io/not-ready'));
    assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'DaemonSet');
  });
});
