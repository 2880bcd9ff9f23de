import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import type { KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { podsResource } from './apply.js';
import { startReplicaSetController, startReplicationControllerController } from './controller.js';
import { controllerRefOf } from './ownership.js';
import { startFakeNode, type FakeNode } from './testing/fake-node.js';
import { eventually } from './testing/poll.js';
import type { Pod, ReplicaSet } from './types.js';

const rsResource = findResource('apps', 'replicasets') as ResourceInfo;
const rcResource = findResource('', 'replicationcontrollers') as ResourceInfo;
const ns = 'default';

const podSpec = { containers: [{ name: 'main', image: 'busybox' }] };

function newReplicaSet(name: string, replicas: number): KubeObject {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name }, annotations: { note: 'from-template' } }, spec: podSpec },
    },
  };
}

describe('ReplicaSet and ReplicationController controllers', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controllers: Controller[];
  let node: FakeNode;

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    const deps = { client: api.client, informers: factory, log: silentLogger(), clock: systemClock };
    controllers = [startReplicaSetController({}, deps), startReplicationControllerController({}, deps)];
    node = startFakeNode({ client: api.client, informers: factory });
    await factory.start();
    await Promise.all(controllers.map((c) => c.ready));
  });

  after(async () => {
    node.stop();
    for (const c of controllers) await c.stop();
    await api.stop();
  });

  const podsOf = async (app: string): Promise<Pod[]> =>
    (await api.client.list<Pod>(podsResource, ns, { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);

  const waitForPods = (app: string, count: number, what: string): Promise<Pod[]> =>
    eventually(async () => {
      const pods = await podsOf(app);
      return pods.length === count && pods;
    }, { what });

  test('creates the replicas from the template, owned by the ReplicaSet, and reports them available', async () => {
    const rs = await api.client.create<ReplicaSet>(rsResource, ns, newReplicaSet('web', 3));
    const pods = await waitForPods('web', 3, '3 pods');
    for (const pod of pods) {
      assert.match(pod.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
      assert.equal(pod.metadata.annotations?.note, 'from-template');
      assert.deepEqual(controllerRefOf(pod), {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web',
        uid: rs.metadata.uid,
        controller: true,
        blockOwnerDeletion: true,
      });
    }
    const status = await eventually(async () => {
      const s = (await api.client.get<ReplicaSet>(rsResource, ns, 'web')).status;
      return s?.availableReplicas === 3 && s;
    }, { what: 'available status' });
    assert.equal(status.replicas, 3);
    assert.equal(status.fullyLabeledReplicas, 3);
    assert.equal(status.readyReplicas, 3);
    assert.equal(status.observedGeneration, 1);
  });

  test('scales up and down', async () => {
    await api.client.patch(rsResource, ns, 'web', 'merge', { spec: { replicas: 5 } });
    await waitForPods('web', 5, 'scale up to 5');
    await api.client.patch(rsResource, ns, 'web', 'merge', { spec: { replicas: 2 } });
    await waitForPods('web', 2, 'scale down to 2');
    const status = await eventually(async () => {
      const rs = await api.client.get<ReplicaSet>(rsResource, ns, 'web');
      return rs.status?.replicas === 2 && rs.status;
    }, { what: 'status of 2' });
    assert.equal(status.observedGeneration, 3);
  });

  test('replaces a deleted pod with a new one', async () => {
    const before = await waitForPods('web', 2, 'two pods');
    const victim = before[0] as Pod;
    await api.client.delete(podsResource, ns, victim.metadata.name ?? '');
    const afterPods = await eventually(async () => {
      const pods = await podsOf('web');
      return pods.length === 2 && !pods.some((p) => p.metadata.name === victim.metadata.name) && pods;
    }, { what: 'replacement' });
    assert.equal(afterPods.filter((p) => !before.some((b) => b.metadata.name === p.metadata.name)).length, 1);
  });

  test('adopts a matching orphan instead of creating a pod', async () => {
    await api.client.create(podsResource, ns, { metadata: { name: 'orphan', namespace: ns, labels: { app: 'adopter' } }, spec: podSpec });
    const rs = await api.client.create<ReplicaSet>(rsResource, ns, newReplicaSet('adopter', 1));
    const adopted = await eventually(async () => {
      const pod = await api.client.get<Pod>(podsResource, ns, 'orphan');
      return controllerRefOf(pod)?.uid === rs.metadata.uid && pod;
    }, { what: 'adoption' });
    assert.equal(controllerRefOf(adopted)?.kind, 'ReplicaSet');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual((await podsOf('adopter')).map((p) => p.metadata.name), ['orphan']);
  });

  test('releases a pod whose labels no longer match, and replaces it', async () => {
    const [pod] = await waitForPods('adopter', 1, 'one pod');
    const name = pod?.metadata.name ?? '';
    await api.client.patch(podsResource, ns, name, 'merge', { metadata: { labels: { app: 'elsewhere' } } });
    await eventually(async () => {
      const released = await api.client.get<Pod>(podsResource, ns, name);
      return controllerRefOf(released) === undefined;
    }, { what: 'release' });
    const pods = await waitForPods('adopter', 1, 'replacement');
    assert.notEqual(pods[0]?.metadata.name, name);
  });

  test('a ReplicationController keeps its replicas with a map selector', async () => {
    const rc = await api.client.create<ReplicaSet>(rcResource, ns, {
      metadata: { name: 'legacy', namespace: ns },
      spec: { replicas: 2, selector: { app: 'legacy' }, template: { metadata: { labels: { app: 'legacy' } }, spec: podSpec } },
    });
    const pods = await waitForPods('legacy', 2, 'rc pods');
    for (const pod of pods) {
      assert.match(pod.metadata.name ?? '', /^legacy-[a-z0-9]{5}$/);
      assert.equal(controllerRefOf(pod)?.kind, 'ReplicationController');
      assert.equal(controllerRefOf(pod)?.apiVersion, 'v1');
      assert.equal(controllerRefOf(pod)?.uid, rc.metadata.uid);
    }
    await eventually(async () => (await api.client.get<ReplicaSet>(rcResource, ns, 'legacy')).status?.readyReplicas === 2, { what: 'rc ready' });
  });
});
