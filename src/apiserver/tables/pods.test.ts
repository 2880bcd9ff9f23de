import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { toTable } from './table.js';
import { ago, now, rowByColumn } from './testing.js';

type State = Record<string, unknown>;

interface ContainerOptions {
  name?: string;
  ready?: boolean;
  state?: State;
  lastState?: State;
  restartCount?: number;
  started?: boolean;
}

function containerStatus(options: ContainerOptions = {}): Record<string, unknown> {
  return {
    name: options.name ?? 'app',
    ready: options.ready ?? true,
    restartCount: options.restartCount ?? 0,
    state: options.state ?? { running: { startedAt: ago(100) } },
    lastState: options.lastState ?? {},
    ...(options.started !== undefined ? { started: options.started } : {}),
  };
}

interface PodOptions {
  phase?: string;
  reason?: string;
  containers?: Record<string, unknown>[];
  initContainers?: Record<string, unknown>[];
  initStatuses?: Record<string, unknown>[];
  conditions?: Record<string, unknown>[];
  deleting?: boolean;
  podIP?: string;
  nodeName?: string;
  nominatedNodeName?: string;
  readinessGates?: string[];
}

function newPod(options: PodOptions = {}): KubeObject {
  const containers = options.containers ?? [containerStatus()];
  const initContainers = options.initContainers ?? [];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-0',
      namespace: 'default',
      creationTimestamp: ago(200),
      ...(options.deleting ? { deletionTimestamp: ago(-30) } : {}),
    },
    spec: {
      containers: containers.map((c) => ({ name: c['name'], image: 'nginx' })),
      ...(initContainers.length > 0 ? { initContainers } : {}),
      ...(options.nodeName ? { nodeName: options.nodeName } : {}),
      ...(options.readinessGates ? { readinessGates: options.readinessGates.map((conditionType) => ({ conditionType })) } : {}),
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.reason ? { reason: options.reason } : {}),
      conditions: options.conditions ?? [],
      containerStatuses: containers,
      ...(options.initStatuses ? { initContainerStatuses: options.initStatuses } : {}),
      ...(options.podIP ? { podIP: options.podIP, podIPs: [{ ip: options.podIP }] } : {}),
      ...(options.nominatedNodeName ? { nominatedNodeName: options.nominatedNodeName } : {}),
    },
  };
}

const waiting = (reason: string): State => ({ waiting: { reason } });
const terminated = (fields: Record<string, unknown>): State => ({ terminated: { exitCode: 0, ...fields } });
const readyCondition = { type: 'Ready', status: 'True' };

describe('pods', () => {
  const cases: [string, KubeObject, Record<string, unknown>][] = [
    ['running and ready', newPod(), { Name: 'web-0', Ready: '1/1', Status: 'Running', Restarts: '0', Age: '3m20s' }],
    [
      'pending, not scheduled',
      newPod({ phase: 'Pending', containers: [] }),
      { Ready: '0/0', Status: 'Pending', IP: '<none>', Node: '<none>', 'Nominated Node': '<none>', 'Readiness Gates': '<none>' },
    ],
    [
      'container creating',
      newPod({ phase: 'Pending', containers: [containerStatus({ ready: false, state: waiting('ContainerCreating') })] }),
      { Ready: '0/1', Status: 'ContainerCreating' },
    ],
    [
      'crash loop with the time since the last restart',
      newPod({
        containers: [
          containerStatus({
            ready: false,
            restartCount: 5,
            state: waiting('CrashLoopBackOff'),
            lastState: terminated({ exitCode: 1, reason: 'Error', finishedAt: ago(300) }),
          }),
        ],
      }),
      { Ready: '0/1', Status: 'CrashLoopBackOff', Restarts: '5 (5m ago)' },
    ],
    [
      'restarts without a known last termination',
      newPod({ containers: [containerStatus({ restartCount: 2 })] }),
      { Restarts: '2', Status: 'Running' },
    ],
    [
      'completed',
      newPod({ phase: 'Succeeded', containers: [containerStatus({ ready: false, state: terminated({ reason: 'Completed' }) })] }),
      { Ready: '0/1', Status: 'Completed' },
    ],
    [
      'terminated without a reason shows the exit code',
      newPod({ phase: 'Failed', containers: [containerStatus({ ready: false, state: terminated({ exitCode: 137 }) })] }),
      { Status: 'ExitCode:137' },
    ],
    [
      'terminated by a signal',
      newPod({ phase: 'Failed', containers: [containerStatus({ ready: false, state: terminated({ exitCode: 0, signal: 9 }) })] }),
      { Status: 'Signal:9' },
    ],
    ['terminating', newPod({ deleting: true }), { Status: 'Terminating' }],
    [
      'a finished pod being deleted keeps its status',
      newPod({ phase: 'Succeeded', deleting: true, containers: [containerStatus({ ready: false, state: terminated({ reason: 'Completed' }) })] }),
      { Status: 'Completed' },
    ],
    ['node lost while deleting', newPod({ deleting: true, reason: 'NodeLost' }), { Status: 'Unknown' }],
    ['evicted (status reason)', newPod({ phase: 'Failed', reason: 'Evicted', containers: [] }), { Status: 'Evicted' }],
    [
      'the first container decides the status',
      newPod({
        containers: [containerStatus({ name: 'a', ready: false, state: waiting('ImagePullBackOff') }), containerStatus({ name: 'b', ready: false, state: waiting('CrashLoopBackOff') })],
      }),
      { Ready: '0/2', Status: 'ImagePullBackOff' },
    ],
    [
      'completed container beside a running one, pod ready',
      newPod({
        conditions: [readyCondition],
        containers: [containerStatus({ name: 'a' }), containerStatus({ name: 'b', ready: false, state: terminated({ reason: 'Completed' }) })],
      }),
      { Ready: '1/2', Status: 'Running' },
    ],
    [
      'completed container beside a running one, pod not ready',
      newPod({ containers: [containerStatus({ name: 'a' }), containerStatus({ name: 'b', ready: false, state: terminated({ reason: 'Completed' }) })] }),
      { Status: 'NotReady' },
    ],
    [
      'init container running',
      newPod({
        phase: 'Pending',
        initContainers: [{ name: 'init', image: 'busybox' }],
        initStatuses: [containerStatus({ name: 'init', ready: false })],
        containers: [containerStatus({ ready: false, state: waiting('PodInitializing') })],
      }),
      { Ready: '0/1', Status: 'Init:0/1' },
    ],
    [
      'second init container waiting on an image',
      newPod({
        phase: 'Pending',
        initContainers: [{ name: 'one' }, { name: 'two' }],
        initStatuses: [
          containerStatus({ name: 'one', ready: false, state: terminated({ reason: 'Completed' }) }),
          containerStatus({ name: 'two', ready: false, state: waiting('ErrImagePull') }),
        ],
        containers: [containerStatus({ ready: false, state: waiting('PodInitializing') })],
      }),
      { Status: 'Init:ErrImagePull' },
    ],
    [
      'init container crash looping counts its restarts',
      newPod({
        phase: 'Pending',
        initContainers: [{ name: 'init' }],
        initStatuses: [
          containerStatus({ name: 'init', ready: false, restartCount: 3, state: waiting('CrashLoopBackOff'), lastState: terminated({ exitCode: 1, finishedAt: ago(40) }) }),
        ],
        containers: [containerStatus({ ready: false, state: waiting('PodInitializing') })],
      }),
      { Status: 'Init:CrashLoopBackOff', Restarts: '3 (40s ago)' },
    ],
    [
      'init container failed with an exit code',
      newPod({
        phase: 'Pending',
        initContainers: [{ name: 'init' }],
        initStatuses: [containerStatus({ name: 'init', ready: false, state: terminated({ exitCode: 2 }) })],
        containers: [containerStatus({ ready: false, state: waiting('PodInitializing') })],
      }),
      { Status: 'Init:ExitCode:2' },
    ],
    [
      'a started sidecar counts as a ready container',
      newPod({
        initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
        initStatuses: [containerStatus({ name: 'proxy', started: true, restartCount: 1 })],
        conditions: [{ type: 'Initialized', status: 'True' }, readyCondition],
      }),
      { Ready: '2/2', Status: 'Running', Restarts: '1' },
    ],
    [
      'scheduling gated',
      newPod({ phase: 'Pending', containers: [], conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }),
      { Status: 'SchedulingGated' },
    ],
    [
      'wide columns',
      newPod({ podIP: '10.244.0.13', nodeName: 'node-1', nominatedNodeName: 'node-2', readinessGates: ['example.com/lb', 'example.com/dns'], conditions: [{ type: 'example.com/lb', status: 'True' }] }),
      { IP: '10.244.0.13', Node: 'node-1', 'Nominated Node': 'node-2', 'Readiness Gates': '1/2' },
    ],
  ];
  for (const [name, pod, expected] of cases) {
    test(name, () => {
      const row = rowByColumn('', 'pods', pod);
      for (const [column, value] of Object.entries(expected)) assert.equal(row[column], value, column);
    });
  }

  test('finished pods carry the Completed row condition', () => {
    const pods = [newPod(), newPod({ phase: 'Succeeded' }), newPod({ phase: 'Failed' })];
    const table = toTable('', 'pods', pods, { now, includeObject: 'None' });
    assert.deepEqual(
      table.rows.map((r) => r.conditions?.map((c) => `${c.type}=${c.status}:${c.reason ?? ''}`)),
      [undefined, ['Completed=True:Succeeded'], ['Completed=True:Failed']],
    );
  });
});
