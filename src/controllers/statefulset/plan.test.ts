import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { computeStatefulSetStatus, planStatefulSet, type StatefulSetInputs } from './plan.js';
import type { StatefulSetSpecView } from './spec.js';

const now = new Date('2025-01-01T00:01:00Z');

function newSpec(overrides: Partial<StatefulSetSpecView> = {}): StatefulSetSpecView {
  return {
    name: 'web',
    replicas: 3,
    startOrdinal: 0,
    serviceName: 'nginx',
    parallel: false,
    onDelete: false,
    partition: 0,
    minReadySeconds: 0,
    revisionHistoryLimit: 10,
    ...overrides,
  };
}

type PodState = 'ready' | 'pending' | 'terminating' | 'failed' | 'succeeded';

/** `newPod(1)` is web-1, Running and Ready at revision rev-b. */
function newPod(ordinal: number, state: PodState = 'ready', revision = 'rev-b'): KubeObject {
  const phase = { ready: 'Running', pending: 'Pending', terminating: 'Running', failed: 'Failed', succeeded: 'Succeeded' }[state];
  return {
    metadata: {
      name: `web-${ordinal}`,
      uid: `uid-${ordinal}`,
      labels: { 'controller-revision-hash': revision },
      ...(state === 'terminating' ? { deletionTimestamp: '2025-01-01T00:00:30Z' } : {}),
    },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False', lastTransitionTime: '2025-01-01T00:00:00Z' }],
    },
  };
}

function inputs(spec: StatefulSetSpecView, pods: KubeObject[]): StatefulSetInputs {
  return { spec, pods, currentRevision: 'rev-a', updateRevision: 'rev-b', now };
}

interface Case {
  name: string;
  spec: Partial<StatefulSetSpecView>;
  pods: KubeObject[];
  create: string[];
  delete: string[];
}

const cases: Case[] = [
  { name: 'empty set creates ordinal 0 only', spec: {}, pods: [], create: ['0@update'], delete: [] },
  { name: 'waits for a pending pod before the next ordinal', spec: {}, pods: [newPod(0, 'pending')], create: [], delete: [] },
  { name: 'creates the next ordinal once lower ones are ready', spec: {}, pods: [newPod(0)], create: ['1@update'], delete: [] },
  { name: 'recreates a missing middle ordinal first', spec: {}, pods: [newPod(0), newPod(2)], create: ['1@update'], delete: [] },
  { name: 'waits for a terminating pod', spec: {}, pods: [newPod(0, 'terminating'), newPod(1)], create: [], delete: [] },
  { name: 'parallel creates every missing ordinal', spec: { parallel: true }, pods: [newPod(1, 'pending')], create: ['0@update', '2@update'], delete: [] },
  { name: 'deletes a failed pod so it can be recreated', spec: {}, pods: [newPod(0, 'failed'), newPod(1)], create: [], delete: ['web-0'] },
  {
    name: 'scale down removes the highest ordinal first, one at a time',
    spec: { replicas: 1 },
    pods: [newPod(0), newPod(1), newPod(2)],
    create: [],
    delete: ['web-2'],
  },
  {
    name: 'scale down waits for the previous deletion',
    spec: { replicas: 1 },
    pods: [newPod(0), newPod(1), newPod(2, 'terminating')],
    create: [],
    delete: [],
  },
  {
    name: 'scale down does not start while a kept pod is unhealthy',
    spec: { replicas: 1 },
    pods: [newPod(0, 'pending'), newPod(1)],
    create: [],
    delete: [],
  },
  {
    name: 'scale down blocks on an unhealthy condemned pod that is not the first unhealthy',
    spec: { replicas: 1 },
    pods: [newPod(0), newPod(1, 'pending'), newPod(2, 'pending')],
    create: [],
    delete: [],
  },
  {
    name: 'scale down deletes the first unhealthy condemned pod',
    spec: { replicas: 1 },
    pods: [newPod(0), newPod(1, 'pending')],
    create: [],
    delete: ['web-1'],
  },
  {
    name: 'parallel scale down deletes all surplus pods',
    spec: { replicas: 1, parallel: true },
    pods: [newPod(0), newPod(1), newPod(2, 'pending')],
    create: [],
    delete: ['web-2', 'web-1'],
  },
  {
    name: 'rolling update replaces the highest outdated ordinal',
    spec: {},
    pods: [newPod(0, 'ready', 'rev-a'), newPod(1, 'ready', 'rev-a'), newPod(2, 'ready', 'rev-a')],
    create: [],
    delete: ['web-2'],
  },
  {
    name: 'rolling update waits for the replaced pod to be ready',
    spec: {},
    pods: [newPod(0, 'ready', 'rev-a'), newPod(1, 'ready', 'rev-a'), newPod(2, 'pending')],
    create: [],
    delete: [],
  },
  {
    name: 'rolling update continues downwards',
    spec: {},
    pods: [newPod(0, 'ready', 'rev-a'), newPod(1, 'ready', 'rev-a'), newPod(2)],
    create: [],
    delete: ['web-1'],
  },
  {
    name: 'rolling update stops at the partition',
    spec: { partition: 2 },
    pods: [newPod(0, 'ready', 'rev-a'), newPod(1, 'ready', 'rev-a'), newPod(2)],
    create: [],
    delete: [],
  },
  {
    name: 'below the partition a pod is recreated at the current revision',
    spec: { partition: 2 },
    pods: [],
    create: ['0@current'],
    delete: [],
  },
  {
    name: 'OnDelete replaces nothing',
    spec: { onDelete: true },
    pods: [newPod(0, 'ready', 'rev-a'), newPod(1, 'ready', 'rev-a'), newPod(2, 'ready', 'rev-a')],
    create: [],
    delete: [],
  },
  {
    name: 'OnDelete recreates a deleted pod at the update revision',
    spec: { onDelete: true, partition: 5 },
    pods: [newPod(1, 'ready', 'rev-a')],
    create: ['0@update'],
    delete: [],
  },
  {
    name: 'start ordinal shifts the names',
    spec: { startOrdinal: 5, replicas: 2 },
    pods: [newPod(5)],
    create: ['6@update'],
    delete: [],
  },
  {
    name: 'minReadySeconds holds the next ordinal until the pod is available',
    spec: { minReadySeconds: 120 },
    pods: [newPod(0)],
    create: [],
    delete: [],
  },
];

describe('planStatefulSet', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = planStatefulSet(inputs(newSpec(c.spec), c.pods));
      assert.deepEqual(
        plan.create.map((p) => `${p.ordinal}@${p.revision}`),
        c.create,
      );
      assert.deepEqual(
        plan.delete.map((p) => p.metadata.name),
        c.delete,
      );
    });
  }
});

describe('computeStatefulSetStatus', () => {
  const status = (spec: Partial<StatefulSetSpecView>, pods: KubeObject[]) =>
    computeStatefulSetStatus({ ...inputs(newSpec(spec), pods), generation: 4, collisionCount: 0, onDelete: spec.onDelete ?? false });

  test('counts pods by readiness and revision mid-update', () => {
    const s = status({}, [newPod(0, 'ready', 'rev-a'), newPod(1, 'pending', 'rev-a'), newPod(2)]);
    assert.deepEqual(
      { ...s },
      {
        observedGeneration: 4,
        replicas: 3,
        readyReplicas: 2,
        availableReplicas: 2,
        currentReplicas: 2,
        updatedReplicas: 1,
        currentRevision: 'rev-a',
        updateRevision: 'rev-b',
        collisionCount: 0,
      },
    );
  });

  test('a finished rolling update makes the update revision current', () => {
    const s = status({}, [newPod(0), newPod(1), newPod(2)]);
    assert.equal(s.currentRevision, 'rev-b');
    assert.equal(s.currentReplicas, 3);
  });

  test('OnDelete keeps the current revision', () => {
    const s = status({ onDelete: true }, [newPod(0), newPod(1), newPod(2)]);
    assert.equal(s.currentRevision, 'rev-a');
  });

  test('terminating pods count as replicas but not as current or updated', () => {
    const s = status({}, [newPod(0), newPod(1, 'terminating')]);
    assert.equal(s.replicas, 2);
    assert.equal(s.updatedReplicas, 1);
  });
});
