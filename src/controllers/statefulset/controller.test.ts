import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { startStatefulSetController } from './controller.js';
import { isRunningAndReady } from '../shared/pod-state.js';
import { startTestNode } from '../shared/test-node.js';

const podsInfo = findResource('', 'pods') as ResourceInfo;
const setsInfo = findResource('apps', 'statefulsets') as ResourceInfo;
const servicesInfo = findResource('', 'services') as ResourceInfo;
const revisionsInfo = findResource('apps', 'controllerrevisions') as ResourceInfo;

async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function statusOf(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.status) ? obj.status : {};
}

describe('StatefulSet controller against an API server', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controller: Controller;
  let node: { stop(): Promise<void> };
  const added: string[] = [];
  const deleted: string[] = [];
  const orderViolations: string[] = [];

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    controller = startStatefulSetController({}, { client: api.client, informers: factory, log: silentLogger(), clock: systemClock });
    node = startTestNode({ client: api.client, informers: factory });
    const pods = factory.informer('', 'pods');
    pods.addHandlers({
      onAdd: (pod) => {
        const name = pod.metadata.name ?? '';
        added.push(name);
        // OrderedReady: when nginx-i appears, nginx-(i-1) must already be Running and Ready.
        const ordinal = Number(name.split('-').pop());
        const previous = pods.cache.get(`default/nginx-${ordinal - 1}`);
        if (ordinal > 0 && (!previous || !isRunningAndReady(previous))) orderViolations.push(name);
      },
      onDelete: (pod) => deleted.push(pod.metadata.name ?? ''),
    });
    await factory.start();
    await controller.ready;
  });

  after(async () => {
    await controller.stop();
    await node.stop();
    await api.stop();
  });

  const podNames = async (): Promise<string[]> => (await api.client.list(podsInfo, 'default')).items.map((p) => p.metadata.name ?? '').sort();
  const getSet = (): Promise<KubeObject> => api.client.get(setsInfo, 'default', 'nginx');

  test('creates nginx-0..2 in order with stable identity', async () => {
    await api.client.create(servicesInfo, 'default', {
      metadata: { name: 'nginx' },
      spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ port: 80 }] },
    });
    await api.client.create(setsInfo, 'default', {
      metadata: { name: 'nginx' },
      spec: {
        replicas: 3,
        serviceName: 'nginx',
        selector: { matchLabels: { app: 'nginx' } },
        template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
    });
    const set = await eventually('3 ready replicas', async () => {
      const s = await getSet();
      return statusOf(s).readyReplicas === 3 ? s : undefined;
    });
    assert.deepEqual(added, ['nginx-0', 'nginx-1', 'nginx-2']);
    assert.deepEqual(orderViolations, []);
    const status = statusOf(set);
    assert.equal(status.observedGeneration, set.metadata.generation);
    assert.equal(status.currentRevision, status.updateRevision);
    assert.equal(status.updatedReplicas, 3);

    const pod = await api.client.get(podsInfo, 'default', 'nginx-1');
    const spec = pod.spec as Record<string, unknown>;
    assert.equal(spec.hostname, 'nginx-1');
    assert.equal(spec.subdomain, 'nginx');
    assert.equal(pod.metadata.labels?.['statefulset.kubernetes.io/pod-name'], 'nginx-1');
    assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.equal(pod.metadata.labels?.['controller-revision-hash'], status.updateRevision);
    assert.equal(pod.metadata.ownerReferences?.[0]?.uid, set.metadata.uid);
    const revisions = await api.client.list(revisionsInfo, 'default');
    assert.deepEqual(
      revisions.items.map((r) => r.metadata.name),
      [status.updateRevision],
    );
  });

  test('a deleted pod comes back with the same name', async () => {
    const old = await api.client.get(podsInfo, 'default', 'nginx-1');
    await api.client.delete(podsInfo, 'default', 'nginx-1');
    const fresh = await eventually('nginx-1 recreated', async () => {
      const pods = await api.client.list(podsInfo, 'default');
      return pods.items.find((p) => p.metadata.name === 'nginx-1' && p.metadata.uid !== old.metadata.uid);
    });
    assert.equal((fresh.spec as Record<string, unknown>).hostname, 'nginx-1');
    assert.deepEqual(await podNames(), ['nginx-0', 'nginx-1', 'nginx-2']);
  });

  test('a template change rolls the pods from the highest ordinal down', async () => {
    await eventually('ready again', async () => (statusOf(await getSet()).readyReplicas === 3 ? true : undefined));
    deleted.length = 0;
    const set = await getSet();
    await api.client.patch(setsInfo, 'default', 'nginx', 'merge', {
      spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.28' }] } } },
    });
    const done = await eventually('rollout complete', async () => {
      const s = await getSet();
      const st = statusOf(s);
      const finished = st.observedGeneration === s.metadata.generation && st.updatedReplicas === 3 && st.readyReplicas === 3;
      return finished && st.currentRevision === st.updateRevision ? st : undefined;
    });
    assert.notEqual(done.updateRevision, statusOf(set).updateRevision);
    assert.deepEqual(deleted, ['nginx-2', 'nginx-1', 'nginx-0']);
    const pods = await api.client.list(podsInfo, 'default');
    for (const pod of pods.items) assert.equal(pod.metadata.labels?.['controller-revision-hash'], done.updateRevision);
  });

  test('scaling down to 1 removes nginx-2 then nginx-1', async () => {
    deleted.length = 0;
    await api.client.patch(setsInfo, 'default', 'nginx', 'merge', { spec: { replicas: 1 } });
    await eventually('one pod left', async () => ((await podNames()).length === 1 ? true : undefined));
    assert.deepEqual(deleted, ['nginx-2', 'nginx-1']);
    assert.deepEqual(await podNames(), ['nginx-0']);
    const st = await eventually('status replicas 1', async () => {
      const s = statusOf(await getSet());
      return s.replicas === 1 ? s : undefined;
    });
    assert.equal(st.readyReplicas, 1);
  });
});
