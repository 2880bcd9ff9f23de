import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { startTestNode } from '../shared/test-node.js';
import type { Controller } from '../types.js';
import { startDaemonSetController } from './controller.js';

const podsInfo = findResource('', 'pods') as ResourceInfo;
const nodesInfo = findResource('', 'nodes') as ResourceInfo;
const daemonSetsInfo = findResource('apps', 'daemonsets') as ResourceInfo;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DaemonSet controller against an API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;
  let node: { stop(): Promise<void> };

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startDaemonSetController({}, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    node = startTestNode({ client: api.client, informers: factory });
    await factory.start();
    await controller.ready;
  });

  after(async () => {
    await controller.stop();
    await node.stop();
    await api.stop();
  });

  async function createNode(name: string): Promise<void> {
    const created = await api.client.create(nodesInfo, undefined, { metadata: { name } });
    await api.client.update(nodesInfo, { ...created, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
  }

  const livePods = async (): Promise<KubeObject[]> =>
    (await api.client.list(podsInfo, 'default')).items.filter((p) => !p.metadata.deletionTimestamp);
  const nodeOf = (pod: KubeObject): string => String((pod.spec as Record<string, unknown>).nodeName ?? '');
  const status = async (): Promise<Record<string, unknown>> => {
    const ds = await api.client.get(daemonSetsInfo, 'default', 'agent');
    return isRecord(ds.status) ? { ...ds.status, generation: ds.metadata.generation } : {};
  };

  test('one pod on each ready node, bound there', async () => {
    await createNode('node-a');
    await createNode('node-b');
    await api.client.create(daemonSetsInfo, 'default', {
      metadata: { name: 'agent' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'agent', image: 'busybox' }] } },
      },
    });
    const st = await eventually('2 ready', async () => {
      const s = await status();
      return s.numberReady === 2 && s.observedGeneration === s.generation ? s : undefined;
    });
    assert.equal(st.desiredNumberScheduled, 2);
    assert.equal(st.currentNumberScheduled, 2);
    assert.equal(st.updatedNumberScheduled, 2);
    assert.equal(st.numberMisscheduled, 0);
    const pods = await livePods();
    assert.deepEqual(pods.map(nodeOf).sort(), ['node-a', 'node-b']);
    for (const pod of pods) assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'DaemonSet');
  });

  test('a node that goes away loses its pod', async () => {
    await api.client.delete(nodesInfo, undefined, 'node-b');
    await eventually('pod on node-b gone', async () => {
      const pods = (await api.client.list(podsInfo, 'default')).items;
      return pods.length === 1 && nodeOf(pods[0] as KubeObject) === 'node-a' ? true : undefined;
    });
    const st = await eventually('desired 1', async () => {
      const s = await status();
      return s.desiredNumberScheduled === 1 && s.numberReady === 1 ? s : undefined;
    });
    assert.equal(st.currentNumberScheduled, 1);
  });

  test('a template change replaces the pod on each node', async () => {
    await createNode('node-c');
    await eventually('2 ready', async () => ((await status()).numberReady === 2 ? true : undefined));
    const before = new Set((await livePods()).map((p) => p.metadata.uid));
    await api.client.patch(daemonSetsInfo, 'default', 'agent', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'agent', image: 'busybox:2' }] } } },
    });
    await eventually('rolled out', async () => {
      const s = await status();
      const done = s.observedGeneration === s.generation && s.updatedNumberScheduled === 2 && s.numberAvailable === 2;
      return done ? true : undefined;
    });
    const after = await eventually('old pods gone', async () => {
      const pods = (await api.client.list(podsInfo, 'default')).items;
      return pods.length === 2 ? pods : undefined;
    });
    assert.deepEqual(after.map(nodeOf).sort(), ['node-a', 'node-c']);
    for (const pod of after) assert.ok(!before.has(pod.metadata.uid), 'every pod was replaced');
  });
});
