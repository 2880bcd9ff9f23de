import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.js';
import type { InformerFactory } from '../../client/factory.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import { podsResource } from '../replicaset/apply.js';
import { startReplicaSetController } from '../replicaset/controller.js';
import { controllerRefOf } from '../replicaset/ownership.js';
import { isPodReady } from '../replicaset/pods.js';
import { startFakeNode, type FakeNode } from '../replicaset/testing/fake-node.js';
import { eventually } from '../replicaset/testing/poll.js';
import type { Pod, ReplicaSet } from '../replicaset/types.js';
import type { Controller } from '../types.js';
import { deploymentsResource, replicaSetsResource } from './apply.js';
import { startDeploymentController } from './controller.js';
import { revisionOf } from './replica-sets.js';
import { getCondition } from './status.js';
import { hasKubectl, kubectlFor, type Kubectl } from './testing/kubectl.js';
import type { Deployment } from './types.js';

const ns = 'default';

function newDeployment(name: string, options: { replicas?: number; strategy?: unknown; image?: string; revisionHistoryLimit?: number } = {}): KubeObject {
  return {
    metadata: { name, namespace: ns },
    spec: {
      replicas: options.replicas ?? 3,
      selector: { matchLabels: { app: name } },
      strategy: options.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      ...(options.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: options.revisionHistoryLimit } : {}),
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: options.image ?? 'app:v1' }] } },
    },
  };
}

/** kubectl's DeploymentStatusViewer: true when `kubectl rollout status` would say done. */
function rolloutDone(d: Deployment): boolean {
  const s = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return false;
  if (getCondition(s, 'Progressing')?.reason === 'ProgressDeadlineExceeded') throw new Error('progress deadline exceeded');
  const updated = s.updatedReplicas ?? 0;
  if (updated < (d.spec?.replicas ?? 1)) return false;
  if ((s.replicas ?? 0) > updated) return false;
  return (s.availableReplicas ?? 0) >= updated;
}

describe('Deployment controller', () => {
  let api: TestApi;
  let factory: InformerFactory;
  let controllers: Controller[];
  let node: FakeNode;
  const podEvents: (() => void)[] = [];

  before(async () => {
    api = await startTestApi();
    factory = api.informers();
    const deps = { client: api.client, informers: factory, log: silentLogger(), clock: systemClock };
    controllers = [startReplicaSetController({}, deps), startDeploymentController({}, deps)];
    node = startFakeNode({ client: api.client, informers: factory, readyDelayMs: 40 });
    const notify = (): void => podEvents.forEach((f) => f());
    factory.informer<Pod>('', 'pods').addHandlers({ onAdd: notify, onUpdate: notify, onDelete: notify });
    await factory.start();
    await Promise.all(controllers.map((c) => c.ready));
  });

  after(async () => {
    node.stop();
    for (const c of controllers) await c.stop();
    await api.stop();
  });

  const getDeployment = (name: string) => api.client.get<Deployment>(deploymentsResource, ns, name);
  const waitRolledOut = (name: string) => eventually(async () => {
    const d = await getDeployment(name);
    return rolloutDone(d) && d;
  }, { timeoutMs: 10_000, what: `rollout of ${name}` });
  const replicaSetsOf = async (name: string) =>
    (await api.client.list<ReplicaSet>(replicaSetsResource, ns, { labelSelector: `app=${name}` })).items;
  const activePods = (name: string) => factory.informer<Pod>('', 'pods').cache.listByLabels(ns, { app: name }).filter((p) => !p.metadata.deletionTimestamp);

  test('creates a ReplicaSet named after the template hash, with revision 1, and rolls out', async () => {
    const created = await api.client.create<Deployment>(deploymentsResource, ns, newDeployment('web'));
    const d = await waitRolledOut('web');
    const [rs, ...others] = await replicaSetsOf('web');
    assert.ok(rs);
    assert.equal(others.length, 0);
    const hash = rs.spec?.template?.metadata?.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.equal(rs.metadata.labels?.['pod-template-hash'], hash);
    assert.deepEqual((rs.spec?.selector as { matchLabels?: unknown }).matchLabels, { app: 'web', 'pod-template-hash': hash });
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    assert.equal(controllerRefOf(rs)?.uid, created.metadata.uid);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.deepEqual(
      { replicas: d.status?.replicas, updated: d.status?.updatedReplicas, ready: d.status?.readyReplicas, available: d.status?.availableReplicas, unavailable: d.status?.unavailableReplicas },
      { replicas: 3, updated: 3, ready: 3, available: 3, unavailable: 0 },
    );
    assert.equal(getCondition(d.status ?? {}, 'Available')?.reason, 'MinimumReplicasAvailable');
    await eventually(async () => getCondition((await getDeployment('web')).status ?? {}, 'Progressing')?.reason === 'NewReplicaSetAvailable', { what: 'NewReplicaSetAvailable' });
  });

  test('rolling update with maxSurge 1, maxUnavailable 0 never drops below 3 ready pods', async () => {
    const before = await replicaSetsOf('web');
    let minReady = Infinity;
    let maxPods = 0;
    const observe = (): void => {
      const pods = activePods('web');
      minReady = Math.min(minReady, pods.filter(isPodReady).length);
      maxPods = Math.max(maxPods, pods.length);
    };
    podEvents.push(observe);
    await api.client.patch(deploymentsResource, ns, 'web', 'merge', { spec: { template: { spec: { containers: [{ name: 'main', image: 'app:v2' }] } } } });
    const d = await eventually(async () => {
      const got = await getDeployment('web');
      return got.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' && rolloutDone(got) && got;
    }, { timeoutMs: 10_000, what: 'rollout to v2' });
    podEvents.splice(podEvents.indexOf(observe), 1);
    assert.ok(Number.isFinite(minReady), 'no pod event observed');
    assert.ok(minReady >= 3, `ready pods dropped to ${minReady}`);
    assert.ok(maxPods <= 4, `more than replicas + maxSurge pods: ${maxPods}`);
    const rss = await replicaSetsOf('web');
    const newRS = rss.find((rs) => !before.some((b) => b.metadata.name === rs.metadata.name));
    assert.ok(newRS);
    assert.equal(revisionOf(newRS), 2);
    assert.equal(rss.find((rs) => rs !== newRS)?.spec?.replicas, 0);
    const hash = newRS.metadata.labels?.['pod-template-hash'];
    const pods = await eventually(() => {
      const pods = activePods('web');
      return pods.length === 3 && pods.every((p) => p.metadata.labels?.['pod-template-hash'] === hash) && pods;
    }, { what: 'all pods on the new ReplicaSet' });
    assert.ok(pods.every((p) => controllerRefOf(p)?.uid === newRS.metadata.uid));
    assert.equal(d.status?.updatedReplicas, 3);
  });

  test('rollback to revision 1 through the revision annotation (as kubectl rollout undo does)', async () => {
    const rss = await replicaSetsOf('web');
    const first = rss.find((rs) => revisionOf(rs) === 1);
    assert.ok(first?.spec?.template);
    const template = structuredClone(first.spec.template);
    delete template.metadata?.labels?.['pod-template-hash'];
    const d = await getDeployment('web');
    await api.client.patch(deploymentsResource, ns, 'web', 'json', [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: d.metadata.annotations },
    ]);
    await eventually(async () => {
      const got = await getDeployment('web');
      return got.metadata.annotations?.['deployment.kubernetes.io/revision'] === '3' && rolloutDone(got);
    }, { timeoutMs: 10_000, what: 'rollback' });
    const after = await replicaSetsOf('web');
    assert.equal(after.length, 2, 'the old ReplicaSet is reused, not a new one made');
    const restored = after.find((rs) => rs.metadata.name === first.metadata.name);
    assert.equal(revisionOf(restored ?? first), 3);
    assert.equal(restored?.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(restored?.spec?.replicas, 3);
  });

  test('Recreate removes every old pod before any new one exists', async () => {
    await api.client.create(deploymentsResource, ns, newDeployment('batch', { replicas: 2, strategy: { type: 'Recreate' } }));
    await waitRolledOut('batch');
    const oldHash = activePods('batch')[0]?.metadata.labels?.['pod-template-hash'];
    let mixed = false;
    let events = 0;
    const observe = (): void => {
      events++;
      const hashes = new Set(factory.informer<Pod>('', 'pods').cache.listByLabels(ns, { app: 'batch' }).map((p) => p.metadata.labels?.['pod-template-hash']));
      if (hashes.size > 1) mixed = true;
    };
    podEvents.push(observe);
    await api.client.patch(deploymentsResource, ns, 'batch', 'merge', { spec: { template: { spec: { containers: [{ name: 'main', image: 'app:v2' }] } } } });
    await eventually(async () => {
      const d = await getDeployment('batch');
      return d.metadata.annotations?.['deployment.kubernetes.io/revision'] === '2' && rolloutDone(d);
    }, { timeoutMs: 10_000, what: 'recreate rollout' });
    podEvents.splice(podEvents.indexOf(observe), 1);
    assert.ok(events > 0, 'no pod event observed');
    assert.equal(mixed, false, 'old and new pods coexisted');
    const pods = activePods('batch');
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => p.metadata.labels?.['pod-template-hash'] !== oldHash));
  });

  test('revisionHistoryLimit keeps only that many old ReplicaSets', async () => {
    await api.client.create(deploymentsResource, ns, newDeployment('pruned', { replicas: 1, revisionHistoryLimit: 1 }));
    for (const image of ['app:v2', 'app:v3', 'app:v4']) {
      await waitRolledOut('pruned');
      await api.client.patch(deploymentsResource, ns, 'pruned', 'merge', { spec: { template: { spec: { containers: [{ name: 'main', image }] } } } });
    }
    await eventually(async () => {
      const d = await getDeployment('pruned');
      if (d.metadata.annotations?.['deployment.kubernetes.io/revision'] !== '4' || !rolloutDone(d)) return false;
      const rss = await replicaSetsOf('pruned');
      return rss.length === 2 && rss;
    }, { timeoutMs: 10_000, what: 'pruned history' });
    const revisions = (await replicaSetsOf('pruned')).map(revisionOf).sort();
    assert.deepEqual(revisions, [3, 4]);
  });

  test('scales a rolled-out Deployment up', async () => {
    await api.client.patch(deploymentsResource, ns, 'web', 'merge', { spec: { replicas: 6 } });
    const d = await waitRolledOut('web');
    assert.equal(d.status?.availableReplicas, 6);
    await eventually(() => activePods('web').length === 6, { what: '6 pods' });
  });
});

describe('Deployment controller with kubectl', { skip: hasKubectl() ? false : 'kubectl not installed' }, () => {
  let api: TestApi;
  let kubectl: Kubectl;
  let controllers: Controller[];
  let node: FakeNode;

  before(async () => {
    api = await startTestApi();
    const factory = api.informers();
    const deps = { client: api.client, informers: factory, log: silentLogger(), clock: systemClock };
    controllers = [startReplicaSetController({}, deps), startDeploymentController({}, deps)];
    node = startFakeNode({ client: api.client, informers: factory, readyDelayMs: 30 });
    await factory.start();
    await Promise.all(controllers.map((c) => c.ready));
    kubectl = kubectlFor(api.client.creds);
  });

  after(async () => {
    node.stop();
    for (const c of controllers) await c.stop();
    kubectl.close();
    await api.stop();
  });

  const ok = async (args: string[]): Promise<string> => {
    const r = await kubectl.run(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  test('rollout status, restart, history and undo', async () => {
    await ok(['create', 'deployment', 'kweb', '--image=app:v1', '--replicas=2']);
    assert.match(await ok(['rollout', 'status', 'deployment/kweb', '--timeout=20s']), /successfully rolled out/);
    await ok(['set', 'image', 'deployment/kweb', 'app=app:v2']);
    assert.match(await ok(['rollout', 'status', 'deployment/kweb', '--timeout=20s']), /successfully rolled out/);
    await ok(['rollout', 'restart', 'deployment/kweb']);
    assert.match(await ok(['rollout', 'status', 'deployment/kweb', '--timeout=20s']), /successfully rolled out/);
    const history = await ok(['rollout', 'history', 'deployment/kweb']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^3\s/m);
    await ok(['rollout', 'undo', 'deployment/kweb', '--to-revision=1']);
    assert.match(await ok(['rollout', 'status', 'deployment/kweb', '--timeout=20s']), /successfully rolled out/);
    const d = await api.client.get<Deployment>(deploymentsResource, ns, 'kweb');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
    const pods = (await api.client.list<Pod>(podsResource, ns, { labelSelector: 'app=kweb' })).items.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(pods.length, 2);
    assert.ok(pods.every((p) => (p.spec?.containers as { image: string }[] | undefined)?.[0]?.image === 'app:v1'));
  });
});
