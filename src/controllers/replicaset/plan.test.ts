import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planReplicaSet, statusChanged, withManageResult, type ReplicaSetPlanInput } from './plan.js';
import { newPod, newRs } from './testing/factories.js';

const now = new Date('2026-01-01T01:00:00Z');

interface Case {
  name: string;
  input: Omit<ReplicaSetPlanInput, 'now'>;
  create?: number;
  delete?: string[];
  adopt?: string[];
  release?: string[];
  status?: { replicas: number; ready?: number; available?: number; fullyLabeled?: number };
  requeueAfterMs?: number;
}

const cases: Case[] = [
  { name: 'creates all replicas from nothing', input: { rs: newRs({ replicas: 3 }), pods: [] }, create: 3, status: { replicas: 0 } },
  {
    name: 'creates the missing ones only',
    input: { rs: newRs({ replicas: 3 }), pods: [newPod({ name: 'a', ready: true })] },
    create: 2,
    status: { replicas: 1, ready: 1, available: 1, fullyLabeled: 1 },
  },
  {
    name: 'a pod being deleted does not count, so it is replaced',
    input: { rs: newRs({ replicas: 2 }), pods: [newPod({ name: 'a', ready: true }), newPod({ name: 'b', ready: true, deleting: true })] },
    create: 1,
    status: { replicas: 1, ready: 1, available: 1 },
  },
  {
    name: 'finished pods do not count',
    input: { rs: newRs({ replicas: 2 }), pods: [newPod({ name: 'a', phase: 'Succeeded' }), newPod({ name: 'b', phase: 'Failed' })] },
    create: 2,
    status: { replicas: 0 },
  },
  {
    name: 'caps creations at burstReplicas',
    input: { rs: newRs({ replicas: 1000 }), pods: [], burstReplicas: 500 },
    create: 500,
  },
  {
    name: 'unsynced expectations: report status but do not manage',
    input: { rs: newRs({ replicas: 3 }), pods: [], manage: false },
    create: 0,
    status: { replicas: 0 },
  },
  {
    name: 'a ReplicaSet being deleted manages nothing',
    input: { rs: newRs({ replicas: 3, deleting: true }), pods: [] },
    create: 0,
  },
  {
    name: 'deletes surplus: unscheduled, then pending, then not ready, first',
    input: {
      rs: newRs({ replicas: 2 }),
      pods: [
        newPod({ name: 'running-ready', node: 'n1', ready: true }),
        newPod({ name: 'unscheduled', phase: 'Pending' }),
        newPod({ name: 'pending', node: 'n1', phase: 'Pending' }),
        newPod({ name: 'running-unready', node: 'n1', phase: 'Running' }),
      ],
    },
    delete: ['unscheduled', 'pending'],
    status: { replicas: 4, ready: 1 },
  },
  {
    name: 'among ready pods the newer goes first',
    input: {
      rs: newRs({ replicas: 1 }),
      pods: [
        newPod({ name: 'old', node: 'n1', ready: true, readySince: '2026-01-01T00:00:00Z', created: '2026-01-01T00:00:00Z' }),
        newPod({ name: 'new', node: 'n2', ready: true, readySince: '2026-01-01T00:30:00Z', created: '2026-01-01T00:20:00Z' }),
      ],
    },
    delete: ['new'],
  },
  {
    name: 'doubled-up pods go before lone ones',
    input: {
      rs: newRs({ replicas: 2 }),
      pods: [
        newPod({ name: 'alone', node: 'n1', ready: true, readySince: '2026-01-01T00:50:00Z' }),
        newPod({ name: 'pair-1', node: 'n2', ready: true }),
        newPod({ name: 'pair-2', node: 'n2', ready: true }),
      ],
    },
    delete: ['pair-1'],
  },
  {
    name: 'lower pod-deletion-cost first',
    input: { rs: newRs({ replicas: 1 }), pods: [newPod({ name: 'costly', ready: true, node: 'n', cost: 10 }), newPod({ name: 'cheap', ready: true, node: 'n', cost: -5 })] },
    delete: ['cheap'],
  },
  {
    name: 'adopts a matching orphan and counts it',
    input: { rs: newRs({ replicas: 1 }), pods: [newPod({ name: 'orphan', owner: null })] },
    adopt: ['orphan'],
    create: 0,
    status: { replicas: 1 },
  },
  {
    name: 'does not adopt an orphan being deleted, or one owned by another controller',
    input: { rs: newRs({ replicas: 2 }), pods: [newPod({ name: 'dying', owner: null, deleting: true }), newPod({ name: 'theirs', owner: 'other-uid' })] },
    adopt: [],
    create: 2,
  },
  {
    name: 'releases an owned pod that no longer matches',
    input: { rs: newRs({ replicas: 1 }), pods: [newPod({ name: 'moved', labels: { app: 'other' } })] },
    release: ['moved'],
    create: 1,
    status: { replicas: 0 },
  },
  {
    name: 'fullyLabeledReplicas counts pods with every template label',
    input: { rs: newRs({ replicas: 2 }), pods: [newPod({ name: 'a' }), newPod({ name: 'b', labels: { app: 'web' } })] },
    status: { replicas: 2, fullyLabeled: 1 },
  },
  {
    name: 'minReadySeconds: a recently ready pod is ready but not yet available, and a resync is due',
    input: { rs: newRs({ replicas: 1, minReadySeconds: 10 }), pods: [newPod({ name: 'a', ready: true, readySince: '2026-01-01T00:59:55Z' })] },
    status: { replicas: 1, ready: 1, available: 0 },
    requeueAfterMs: 5000,
  },
];

describe('planReplicaSet', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = planReplicaSet({ ...c.input, now });
      if (c.create !== undefined) assert.equal(plan.create, c.create);
      if (c.delete !== undefined) assert.deepEqual(plan.delete.map((p) => p.metadata.name), c.delete);
      if (c.adopt !== undefined) assert.deepEqual(plan.adopt.map((p) => p.metadata.name), c.adopt);
      if (c.release !== undefined) assert.deepEqual(plan.release.map((p) => p.metadata.name), c.release);
      if (c.status) {
        assert.equal(plan.status.replicas, c.status.replicas);
        assert.equal(plan.status.readyReplicas, c.status.ready ?? 0);
        assert.equal(plan.status.availableReplicas, c.status.available ?? c.status.ready ?? 0);
        if (c.status.fullyLabeled !== undefined) assert.equal(plan.status.fullyLabeledReplicas, c.status.fullyLabeled);
        assert.equal(plan.status.observedGeneration, c.input.rs.metadata.generation);
      }
      assert.equal(plan.requeueAfterMs, c.requeueAfterMs);
    });
  }
});

describe('ReplicaFailure condition', () => {
  const base = { replicas: 1 };
  test('a failed creation sets FailedCreate once', () => {
    const failed = withManageResult(base, { error: 'quota exceeded', diff: -2, now });
    assert.equal(failed.conditions?.[0]?.reason, 'FailedCreate');
    assert.equal(failed.conditions?.[0]?.status, 'True');
    const again = withManageResult(failed, { error: 'still failing', diff: -2, now });
    assert.equal(again.conditions?.length, 1);
    assert.equal(again.conditions?.[0]?.message, 'quota exceeded');
  });
  test('a failed deletion sets FailedDelete', () => {
    assert.equal(withManageResult(base, { error: 'x', diff: 1, now }).conditions?.[0]?.reason, 'FailedDelete');
  });
  test('a clean sync removes it', () => {
    const failed = withManageResult(base, { error: 'x', diff: -1, now });
    assert.equal(withManageResult(failed, { diff: 0, now }).conditions, undefined);
  });
  test('status is written only when something changed', () => {
    assert.equal(statusChanged({ replicas: 1, observedGeneration: 2 }, { replicas: 1, observedGeneration: 2 }), false);
    assert.equal(statusChanged({ replicas: 1, observedGeneration: 2 }, { replicas: 1, observedGeneration: 3 }), true);
    assert.equal(statusChanged(undefined, { replicas: 0 }), false);
  });
});
