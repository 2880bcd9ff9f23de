import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { eventually, newPod, newReplicaSet, ownerRef } from '../shared/testing.js';
import { startScheduler } from './scheduler.js';

const res = (group: string, plural: string): ResourceInfo => findResource(group, plural) as ResourceInfo;
const nodes = res('', 'nodes');
const pods = res('', 'pods');
const events = res('', 'events');
const ns = 'sched';

export async function createReadyNode(api: TestApi, name: string, spec: Record<string, unknown> = {}, labels: Record<string, string> = {}): Promise<void> {
  await api.client.create(nodes, undefined, { metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec });
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  await api.client.patch(nodes, undefined, name, 'merge', {
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: now, lastTransitionTime: now }] },
  }, { subresource: 'status' });
}

const nodeOf = (pod: KubeObject): string | undefined => {
  const spec = isRecord(pod.spec) ? pod.spec : {};
  return typeof spec.nodeName === 'string' ? spec.nodeName : undefined;
};

describe('scheduler against an API server', () => {
  let api: TestApi;
  let scheduler: Controller;

  before(async () => {
    api = await startTestApi();
    await api.client.create(res('', 'namespaces'), undefined, { metadata: { name: ns } });
    for (const name of ['n1', 'n2', 'n3']) await createReadyNode(api, name);
    await createReadyNode(api, 'cordoned', { unschedulable: true });
    await createReadyNode(api, 'tainted', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
    const informers = api.informers();
    scheduler = startScheduler({}, { client: api.client, informers, log: silentLogger(), clock: systemClock });
    await informers.start();
    await scheduler.ready;
  });

  after(async () => {
    await scheduler.stop();
    await api.stop();
  });

  test('pods of one owner are spread over the schedulable nodes', async () => {
    const rs = await api.client.create(res('apps', 'replicasets'), ns, newReplicaSet('web'));
    for (let i = 0; i < 6; i++) await api.client.create(pods, ns, newPod(`web-${i}`, { owners: [ownerRef(rs, { controller: true })] }));
    const placed = await eventually('all bound', async () => {
      const list = await api.client.list(pods, ns, { labelSelector: 'app=x' });
      const bound = list.items.filter((p) => p.metadata.name?.startsWith('web-')).map(nodeOf);
      return bound.length === 6 && bound.every(Boolean) ? bound : undefined;
    });
    const perNode = new Map<string, number>();
    for (const n of placed) perNode.set(n as string, (perNode.get(n as string) ?? 0) + 1);
    assert.deepEqual([...perNode].sort(), [['n1', 2], ['n2', 2], ['n3', 2]]);
    const pod = await api.client.get(pods, ns, 'web-0');
    const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions.filter(isRecord) : [];
    assert.equal(conditions.find((c) => c.type === 'PodScheduled')?.status, 'True');
  });

  test('a pod that fits nowhere is reported Unschedulable, then placed when a node fits', async () => {
    await api.client.create(pods, ns, newPod('picky', { spec: { nodeSelector: { disk: 'ssd' } } }));
    const condition = await eventually('unschedulable condition', async () => {
      const pod = await api.client.get(pods, ns, 'picky');
      const conditions = isRecord(pod.status) && Array.isArray(pod.status.conditions) ? pod.status.conditions.filter(isRecord) : [];
      return conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(condition.reason, 'Unschedulable');
    assert.equal(
      condition.message,
      "0/5 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, 1 node(s) were unschedulable, 3 node(s) didn't match Pod's node affinity/selector. " +
        'preemption: 0/5 nodes are available: 5 Preemption is not helpful for scheduling.',
    );
    const warned = await eventually('FailedScheduling event', async () =>
      (await api.client.list(events, ns)).items.find((e) => e.reason === 'FailedScheduling'),
    );
    assert.equal(warned.message, condition.message);
    await api.client.patch(nodes, undefined, 'n2', 'merge', { metadata: { labels: { disk: 'ssd' } } });
    assert.equal(await eventually('bound to n2', async () => nodeOf(await api.client.get(pods, ns, 'picky'))), 'n2');
  });

  test('pods for another scheduler are left alone', async () => {
    await api.client.create(pods, ns, newPod('other', { spec: { schedulerName: 'my-scheduler' } }));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(nodeOf(await api.client.get(pods, ns, 'other')), undefined);
  });
});
