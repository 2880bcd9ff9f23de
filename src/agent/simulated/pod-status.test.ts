import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { isRecord, type KubeObject } from '../../api/types.js';
import { planPod, simulatedAnnotations, type PodFacts, type PodPlan } from './pod-status.js';

const t0 = Date.parse('2026-11-22T03:00:00Z');

function newPod(options: {
  annotations?: Record<string, string>;
  status?: Record<string, unknown>;
  deleting?: { graceSeconds: number };
  initContainers?: Record<string, unknown>[];
} = {}): KubeObject {
  return {
    metadata: {
      name: 'web-1',
      namespace: 'example',
      uid: 'uid-1',
      ...(options.annotations ? { annotations: options.annotations } : {}),
      ...(options.deleting ? { deletionTimestamp: '2026-11-22T03:00:30Z', deletionGracePeriodSeconds: options.deleting.graceSeconds } : {}),
    },
    spec: {
      nodeName: 'sim-node-0',
      containers: [
        { name: 'app', image: 'nginx:1.27' },
        { name: 'side', image: 'busybox' },
      ],
      ...(options.initContainers ? { initContainers: options.initContainers } : {}),
    },
    status: options.status ?? { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

function facts(overrides: Partial<PodFacts> = {}): PodFacts {
  return {
    nowMs: t0,
    hostIP: '10.243.0.2',
    podIP: '10.244.0.2',
    startedAtMs: t0,
    terminatingSinceMs: undefined,
    terminationDelayMs: 0,
    ...overrides,
  };
}

function conditionsOf(plan: PodPlan): Record<string, string> {
  const list = Array.isArray(plan.status?.conditions) ? plan.status.conditions.filter(isRecord) : [];
  return Object.fromEntries(list.map((c) => [String(c.type), String(c.status)]));
}

function containersOf(plan: PodPlan): Record<string, unknown>[] {
  return Array.isArray(plan.status?.containerStatuses) ? plan.status.containerStatuses.filter(isRecord) : [];
}

/** A pod as it stands after its plan's status was written. */
function written(pod: KubeObject, plan: PodPlan): KubeObject {
  return { ...pod, status: plan.status };
}

const allTrue = { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' };
const notReady = { ...allTrue, Ready: 'False', ContainersReady: 'False' };

describe('planPod', () => {
  const cases: { name: string; pod: KubeObject; facts?: Partial<PodFacts>; phase?: string; conditions?: Record<string, string>; ready?: boolean; plan?: Partial<PodPlan> }[] = [
    { name: 'a new pod runs and is ready', pod: newPod(), phase: 'Running', conditions: allTrue, ready: true },
    {
      name: 'held unready: running, not ready',
      pod: newPod({ annotations: { [simulatedAnnotations.ready]: 'false' } }),
      phase: 'Running',
      conditions: notReady,
      ready: false,
    },
    {
      name: 'start delay: not ready yet, look again when it ends',
      pod: newPod({ annotations: { [simulatedAnnotations.startDelayMs]: '500' } }),
      facts: { nowMs: t0 + 100 },
      phase: 'Running',
      conditions: notReady,
      plan: { recheckAtMs: t0 + 500 },
    },
    {
      name: 'start delay passed: ready',
      pod: newPod({ annotations: { [simulatedAnnotations.startDelayMs]: '500' } }),
      facts: { nowMs: t0 + 500 },
      conditions: allTrue,
    },
    {
      name: 'phase Failed: terminal with exit code 1',
      pod: newPod({ annotations: { [simulatedAnnotations.phase]: 'Failed' } }),
      phase: 'Failed',
      conditions: notReady,
      plan: { isTerminal: true },
    },
    {
      name: 'complete-after: running until due',
      pod: newPod({ annotations: { [simulatedAnnotations.completeAfterMs]: '1000' } }),
      facts: { nowMs: t0 + 10 },
      phase: 'Running',
      plan: { recheckAtMs: t0 + 1000 },
    },
    {
      name: 'complete-after: succeeded once due',
      pod: newPod({ annotations: { [simulatedAnnotations.completeAfterMs]: '1000' } }),
      facts: { nowMs: t0 + 1000 },
      phase: 'Succeeded',
      plan: { isTerminal: true },
    },
    {
      name: 'terminating with delay 0: not ready and removed now',
      pod: newPod({ deleting: { graceSeconds: 30 }, status: { phase: 'Running', podIP: '10.244.0.2' } }),
      phase: 'Running',
      conditions: notReady,
      plan: { deleteAtMs: t0 },
    },
    {
      name: 'terminating: removed after min(grace, node delay)',
      pod: newPod({ deleting: { graceSeconds: 30 }, status: { phase: 'Running', podIP: '10.244.0.2' } }),
      facts: { terminationDelayMs: 2000, terminatingSinceMs: t0 - 500 },
      plan: { deleteAtMs: t0 + 1500 },
    },
    {
      name: 'terminating: a short grace period wins over the node delay',
      pod: newPod({ deleting: { graceSeconds: 1 }, status: { phase: 'Running', podIP: '10.244.0.2' } }),
      facts: { terminationDelayMs: 5000 },
      plan: { deleteAtMs: t0 + 1000 },
    },
    {
      name: 'terminating before it ever ran: removed, no status written',
      pod: newPod({ deleting: { graceSeconds: 30 } }),
      facts: { podIP: undefined },
      plan: { status: undefined, deleteAtMs: t0 },
    },
    { name: 'terminal pods are left alone', pod: newPod({ status: { phase: 'Succeeded' } }), plan: { status: undefined, isTerminal: true } },
    { name: 'no address: nothing yet', pod: newPod(), facts: { podIP: undefined }, plan: { status: undefined } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planPod(c.pod, facts(c.facts));
      if (c.phase) assert.equal(plan.status?.phase, c.phase);
      if (c.conditions) assert.deepEqual(conditionsOf(plan), c.conditions);
      if (c.ready !== undefined) for (const cs of containersOf(plan)) assert.equal(cs.ready, c.ready);
      for (const [field, value] of Object.entries(c.plan ?? {})) assert.deepEqual(plan[field as keyof PodPlan], value, field);
    });
  }
});

describe('running status', () => {
  test('carries addresses, start time, container identities and the server fields', () => {
    const plan = planPod(newPod(), facts());
    assert.deepEqual(
      { podIP: plan.status?.podIP, podIPs: plan.status?.podIPs, hostIP: plan.status?.hostIP, hostIPs: plan.status?.hostIPs },
      { podIP: '10.244.0.2', podIPs: [{ ip: '10.244.0.2' }], hostIP: '10.243.0.2', hostIPs: [{ ip: '10.243.0.2' }] },
    );
    assert.equal(plan.status?.startTime, '2026-11-22T03:00:00Z');
    assert.equal(plan.status?.qosClass, 'BestEffort');
    assert.deepEqual(containersOf(plan)[0], {
      name: 'app',
      image: 'nginx:1.27',
      imageID: 'simulated://nginx:1.27',
      containerID: 'simulated://uid-1-app',
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-11-22T03:00:00Z' } },
    });
  });

  test('once written, the same plan writes nothing (no write loop)', () => {
    const pod = written(newPod(), planPod(newPod(), facts()));
    assert.equal(planPod(pod, facts({ nowMs: t0 + 60_000 })).status, undefined);
  });

  test('flipping held-unready back makes it ready with a new transition time, keeping the others', () => {
    const held = newPod({ annotations: { [simulatedAnnotations.ready]: 'false' } });
    const running = written(held, planPod(held, facts()));
    const released = { ...running, metadata: { ...running.metadata, annotations: {} } };
    const plan = planPod(released, facts({ nowMs: t0 + 5000 }));
    assert.deepEqual(conditionsOf(plan), allTrue);
    const byType = new Map((plan.status?.conditions as Record<string, unknown>[]).map((c) => [c.type, c.lastTransitionTime]));
    assert.equal(byType.get('Ready'), '2026-11-22T03:00:05Z');
    assert.equal(byType.get('Initialized'), '2026-11-22T03:00:00Z');
  });

  test('failed containers are terminated with exit code 1', () => {
    const plan = planPod(newPod({ annotations: { [simulatedAnnotations.phase]: 'Failed' } }), facts());
    const state = containersOf(plan)[0]?.state as { terminated: Record<string, unknown> };
    assert.equal(state.terminated.exitCode, 1);
    assert.equal(state.terminated.reason, 'Error');
  });

  test('the scheduler\'s PodScheduled condition is kept', () => {
    const scheduled = { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-22T02:59:00Z' };
    const plan = planPod(newPod({ status: { phase: 'Pending', conditions: [scheduled] } }), facts());
    const kept = (plan.status?.conditions as Record<string, unknown>[]).find((c) => c.type === 'PodScheduled');
    assert.deepEqual(kept, scheduled);
  });

  test('init containers completed, sidecars running', () => {
    const pod = newPod({ initContainers: [{ name: 'setup', image: 'busybox' }, { name: 'proxy', image: 'envoy', restartPolicy: 'Always' }] });
    const inits = (planPod(pod, facts()).status?.initContainerStatuses as Record<string, unknown>[]).map((s) => Object.keys(s.state as object)[0]);
    assert.deepEqual(inits, ['terminated', 'running']);
  });
});
