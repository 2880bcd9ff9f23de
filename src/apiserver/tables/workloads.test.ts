import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { KubeObject } from '../../api/types.js';
import { ago, rowByColumn } from './testing.js';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] },
};

function newWorkload(kind: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return {
    kind,
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(3 * 3600) },
    spec: { template, ...spec },
    status,
  };
}

function expectRow(group: string, resource: string, obj: KubeObject, expected: Record<string, unknown>): void {
  const row = rowByColumn(group, resource, obj);
  for (const [column, value] of Object.entries(expected)) assert.equal(row[column], value, column);
}

describe('deployments', () => {
  test('counts, containers, images and selector', () => {
    const deployment = newWorkload(
      'Deployment',
      { replicas: 3, selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] } },
      { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    );
    assert.deepEqual(rowByColumn('apps', 'deployments', deployment), {
      Name: 'web',
      Ready: '2/3',
      'Up-to-date': 3,
      Available: 2,
      Age: '3h',
      Containers: 'web,log',
      Images: 'nginx:1.27,busybox',
      Selector: 'app=web,env in (dev,prod)',
    });
  });
  test('a new deployment with no status and default replicas', () => {
    expectRow('apps', 'deployments', newWorkload('Deployment', {}), { Ready: '0/1', 'Up-to-date': 0, Available: 0, Selector: '' });
  });
});

describe('replicasets and replicationcontrollers', () => {
  test('replicaset', () => {
    const rs = newWorkload('ReplicaSet', { replicas: 2, selector: { matchLabels: { app: 'web' } } }, { replicas: 2, readyReplicas: 1 });
    assert.deepEqual(rowByColumn('apps', 'replicasets', rs), {
      Name: 'web',
      Desired: 2,
      Current: 2,
      Ready: 1,
      Age: '3h',
      Containers: 'web,log',
      Images: 'nginx:1.27,busybox',
      Selector: 'app=web',
    });
  });
  test('replicationcontroller selects with a label map', () => {
    const rc = newWorkload('ReplicationController', { replicas: 0, selector: { tier: 'x', app: 'web' } });
    expectRow('', 'replicationcontrollers', rc, { Desired: 0, Current: 0, Ready: 0, Selector: 'app=web,tier=x' });
  });
});

describe('statefulsets, daemonsets', () => {
  test('statefulset', () => {
    const sts = newWorkload('StatefulSet', { replicas: 3, serviceName: 'web' }, { readyReplicas: 1 });
    assert.deepEqual(rowByColumn('apps', 'statefulsets', sts), {
      Name: 'web',
      Ready: '1/3',
      Age: '3h',
      Containers: 'web,log',
      Images: 'nginx:1.27,busybox',
    });
  });
  test('daemonset', () => {
    const ds = newWorkload(
      'DaemonSet',
      { selector: { matchLabels: { app: 'web' } }, template: { ...template, spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 },
    );
    expectRow('apps', 'daemonsets', ds, {
      Desired: 2,
      Current: 2,
      Ready: 1,
      'Up-to-date': 2,
      Available: 1,
      'Node Selector': 'kubernetes.io/os=linux',
      Selector: 'app=web',
    });
  });
});

describe('jobs', () => {
  const complete = { type: 'Complete', status: 'True' };
  const cases: [string, KubeObject, Record<string, unknown>][] = [
    [
      'complete, with its duration',
      newWorkload('Job', { completions: 1 }, { succeeded: 1, startTime: ago(200), completionTime: ago(150), conditions: [complete] }),
      { Status: 'Complete', Completions: '1/1', Duration: '50s' },
    ],
    ['running, duration until now', newWorkload('Job', { completions: 3 }, { succeeded: 1, startTime: ago(130) }), { Status: 'Running', Completions: '1/3', Duration: '2m10s' }],
    ['not started', newWorkload('Job', {}), { Status: 'Running', Completions: '0/1', Duration: '' }],
    ['parallel work queue', newWorkload('Job', { parallelism: 4 }), { Completions: '0/1 of 4' }],
    ['failed', newWorkload('Job', {}, { conditions: [{ type: 'Failed', status: 'True' }] }), { Status: 'Failed' }],
    ['suspended', newWorkload('Job', { suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }), { Status: 'Suspended' }],
    ['a false condition does not count', newWorkload('Job', {}, { conditions: [{ type: 'Complete', status: 'False' }] }), { Status: 'Running' }],
    [
      'terminating',
      { ...newWorkload('Job', {}), metadata: { name: 'web', deletionTimestamp: ago(1) } },
      { Status: 'Terminating', Age: '<unknown>' },
    ],
  ];
  for (const [name, job, expected] of cases) test(name, () => expectRow('batch', 'jobs', job, expected));
});

describe('controllerrevisions', () => {
  test('owned by a statefulset', () => {
    const rev: KubeObject = {
      metadata: {
        name: 'web-5d8f7c',
        creationTimestamp: ago(60),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true }],
      },
      revision: 2,
    };
    assert.deepEqual(rowByColumn('apps', 'controllerrevisions', rev), { Name: 'web-5d8f7c', Controller: 'statefulset.apps/web', Revision: 2, Age: '60s' });
  });
  test('without a controller', () => {
    expectRow('apps', 'controllerrevisions', { metadata: { name: 'r' }, revision: 1 }, { Controller: '<none>' });
  });
});
