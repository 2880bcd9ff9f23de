import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import { planRollout, type RolloutPlan } from './plan.js';
import { newDeployment, newReplicaSet } from './testing/factories.js';
import type { Deployment } from './types.js';

const now = new Date('2026-01-01T01:00:00Z');

interface Case {
  name: string;
  deployment: Deployment;
  replicaSets: ReplicaSet[];
  pods?: Pod[];
  /** Expected sizes: `<name>=<replicas>` for the created RS (`+`) and updated ones. */
  create?: number;
  update?: Record<string, number>;
  delete?: string[];
  revision?: string;
  progressing?: string;
  check?: (plan: RolloutPlan) => void;
}

const old3 = (o: { replicas?: number; available?: number; statusReplicas?: number } = {}) =>
  newReplicaSet({ name: 'old', image: 'v1', replicas: o.replicas ?? 3, available: o.available, statusReplicas: o.statusReplicas, revision: 1 });

const cases: Case[] = [
  {
    name: 'a new Deployment gets a ReplicaSet at full size (surge allows it), revision 1',
    deployment: newDeployment({}),
    replicaSets: [],
    create: 3,
    revision: '1',
    progressing: 'NewReplicaSetCreated',
  },
  {
    name: 'rolling, step 1: the new ReplicaSet starts at the surge allowance',
    deployment: newDeployment({ revision: '1' }),
    replicaSets: [old3()],
    create: 1,
    update: {},
    revision: '2',
  },
  {
    name: 'rolling, step 2: an available new pod lets one old pod go',
    deployment: newDeployment({}),
    replicaSets: [old3(), newReplicaSet({ name: 'new', image: 'v2', replicas: 1, revision: 2 })],
    update: { 'web-old': 2 },
  },
  {
    name: 'rolling: no old pod goes while the new one is not available (maxUnavailable 0)',
    deployment: newDeployment({}),
    replicaSets: [old3(), newReplicaSet({ name: 'new', image: 'v2', replicas: 1, available: 0, revision: 2 })],
    update: {},
  },
  {
    name: 'rolling, step 3: room under the surge grows the new ReplicaSet',
    deployment: newDeployment({}),
    replicaSets: [old3({ replicas: 2 }), newReplicaSet({ name: 'new', image: 'v2', replicas: 1, revision: 2 })],
    update: { 'web-new': 2 },
  },
  {
    name: 'percentages: surge rounds up, unavailable rounds down (10 replicas: +3, -2)',
    deployment: newDeployment({ replicas: 10, maxSurge: '25%', maxUnavailable: '25%' }),
    replicaSets: [newReplicaSet({ name: 'old', image: 'v1', replicas: 10, revision: 1, desired: 10, max: 13 })],
    create: 3,
    update: { 'web-old': 8 },
  },
  {
    name: 'unavailable old pods go even when too few are available (they serve nothing)',
    deployment: newDeployment({ maxUnavailable: 1, maxSurge: 0 }),
    replicaSets: [old3({ available: 1 }), newReplicaSet({ name: 'new', image: 'v2', replicas: 0, revision: 2, max: 3 })],
    update: { 'web-old': 2 },
  },
  {
    name: 'Recreate scales the old ReplicaSets to zero first',
    deployment: newDeployment({ recreate: true }),
    replicaSets: [old3()],
    update: { 'web-old': 0 },
  },
  {
    name: 'Recreate waits while old pods are still there',
    deployment: newDeployment({ recreate: true }),
    replicaSets: [old3({ replicas: 0, statusReplicas: 1 })],
    update: {},
  },
  {
    name: 'Recreate creates the new ReplicaSet at full size once old pods are gone',
    deployment: newDeployment({ recreate: true }),
    replicaSets: [old3({ replicas: 0, statusReplicas: 0, available: 0 })],
    create: 3,
  },
  {
    name: 'proportional scaling: 10 -> 20 mid-rollout keeps the ratio (8+5 -> 15+10)',
    deployment: newDeployment({ replicas: 20, maxSurge: '25%', maxUnavailable: '25%', status: { replicas: 13 } }),
    replicaSets: [
      newReplicaSet({ name: 'old', image: 'v1', replicas: 8, revision: 1, desired: 10, max: 13 }),
      newReplicaSet({ name: 'new', image: 'v2', replicas: 5, available: 0, revision: 2, desired: 10, max: 13 }),
    ],
    update: { 'web-old': 15, 'web-new': 10 },
    check: (plan) => {
      for (const rs of plan.update) {
        assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '20');
        assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '25');
      }
    },
  },
  {
    name: 'paused: no new ReplicaSet, Progressing is Unknown/DeploymentPaused',
    deployment: newDeployment({ paused: true }),
    replicaSets: [old3()],
    progressing: 'DeploymentPaused',
    check: (plan) => assert.equal(plan.create, undefined),
  },
  {
    name: 'rollback: the old template makes the old ReplicaSet new again, with the next revision',
    deployment: newDeployment({ image: 'v1', revision: '2' }),
    replicaSets: [
      newReplicaSet({ name: 'old', image: 'v1', replicas: 0, available: 0, revision: 1 }),
      newReplicaSet({ name: 'cur', image: 'v2', replicas: 3, revision: 2 }),
    ],
    revision: '3',
    check: (plan) => {
      assert.equal(plan.create, undefined);
      const revived = plan.update.find((rs) => rs.metadata.name === 'web-old');
      assert.equal(revived?.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
      assert.equal(revived?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
      assert.equal(revived?.spec?.replicas, 1);
    },
  },
  {
    name: 'complete: Progressing becomes NewReplicaSetAvailable and rollout status is satisfied',
    deployment: newDeployment({ status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 2 } }),
    replicaSets: [newReplicaSet({ name: 'new', image: 'v2', replicas: 3, revision: 1 })],
    progressing: 'NewReplicaSetAvailable',
    check: (plan) => {
      assert.deepEqual(
        [plan.status?.replicas, plan.status?.updatedReplicas, plan.status?.availableReplicas, plan.status?.unavailableReplicas],
        [3, 3, 3, 0],
      );
      assert.equal(plan.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasAvailable');
    },
  },
  {
    name: 'no progress past the deadline: ProgressDeadlineExceeded',
    deployment: newDeployment({
      progressDeadlineSeconds: 60,
      status: {
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 0,
        conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2026-01-01T00:00:00Z', lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    }),
    replicaSets: [newReplicaSet({ name: 'new', image: 'v2', replicas: 3, available: 0, revision: 1 })],
    progressing: 'ProgressDeadlineExceeded',
    check: (plan) => assert.equal(plan.status?.conditions?.find((c) => c.type === 'Available')?.reason, 'MinimumReplicasUnavailable'),
  },
  {
    name: 'revisionHistoryLimit deletes the oldest empty ReplicaSets once complete',
    deployment: newDeployment({
      revisionHistoryLimit: 1,
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3 },
    }),
    replicaSets: [1, 2, 3].map((r) => newReplicaSet({ name: `r${r}`, image: `v0.${r}`, replicas: 0, available: 0, revision: r })).concat(newReplicaSet({ name: 'new', image: 'v2', replicas: 3, revision: 4 })),
    delete: ['web-r1', 'web-r2'],
  },
];

describe('planRollout', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = planRollout({ deployment: c.deployment, replicaSets: c.replicaSets, pods: c.pods ?? [], now });
      if (c.create !== undefined) assert.equal(plan.create?.spec?.replicas, c.create);
      if (c.update !== undefined) {
        const sizes = Object.fromEntries(plan.update.filter((rs) => rs.spec?.replicas !== c.replicaSets.find((o) => o.metadata.name === rs.metadata.name)?.spec?.replicas).map((rs) => [rs.metadata.name, rs.spec?.replicas]));
        assert.deepEqual(sizes, c.update);
      }
      if (c.delete !== undefined) assert.deepEqual(plan.delete.map((rs) => rs.metadata.name), c.delete);
      if (c.revision !== undefined) assert.equal(plan.revision, c.revision);
      if (c.progressing !== undefined) assert.equal(plan.status?.conditions?.find((x) => x.type === 'Progressing')?.reason, c.progressing);
      c.check?.(plan);
    });
  }

  test('the new ReplicaSet carries the hash in its name, labels, selector and template', () => {
    const plan = planRollout({ deployment: newDeployment({}), replicaSets: [], now });
    const rs = plan.create;
    const hash = rs?.spec?.template?.metadata?.labels?.['pod-template-hash'];
    assert.ok(hash);
    assert.equal(rs?.metadata.name, `web-${hash}`);
    assert.equal(rs?.metadata.labels?.['pod-template-hash'], hash);
    assert.deepEqual(rs?.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.equal(rs?.metadata.ownerReferences?.[0]?.kind, 'Deployment');
    assert.equal(rs?.metadata.ownerReferences?.[0]?.controller, true);
  });

  test('a collisionCount gives another name', () => {
    const a = planRollout({ deployment: newDeployment({}), replicaSets: [], now }).create?.metadata.name;
    const b = planRollout({ deployment: newDeployment({ status: { collisionCount: 1 } }), replicaSets: [], now }).create?.metadata.name;
    assert.notEqual(a, b);
  });

  test('an empty selector only records the generation', () => {
    const d = newDeployment({ generation: 4 });
    d.spec = { ...d.spec, selector: {} };
    const plan = planRollout({ deployment: d, replicaSets: [], now });
    assert.equal(plan.create, undefined);
    assert.equal(plan.status?.observedGeneration, 4);
  });

  test('a settled Deployment plans nothing', () => {
    const d = newDeployment({ revision: '1' });
    const first = planRollout({ deployment: d, replicaSets: [newReplicaSet({ name: 'new', image: 'v2', replicas: 3, revision: 1 })], now });
    const settled = { ...d, status: first.status };
    const again = planRollout({ deployment: settled, replicaSets: [newReplicaSet({ name: 'new', image: 'v2', replicas: 3, revision: 1 })], now });
    assert.deepEqual(again, { update: [], delete: [] });
  });
});
