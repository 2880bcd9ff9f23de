import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import type { KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { startGarbageCollector } from './garbage-collector.js';
import { eventually, newConfigMap, newDeployment, newPod, newReplicaSet, ownerRef } from '../shared/testing.js';

const res = (group: string, plural: string): ResourceInfo => findResource(group, plural) as ResourceInfo;
const pods = res('', 'pods');
const configmaps = res('', 'configmaps');
const services = res('', 'services');
const slices = res('discovery.k8s.io', 'endpointslices');
const replicasets = res('apps', 'replicasets');
const deployments = res('apps', 'deployments');
const ns = 'gc-test';

describe('garbage collector against an API server', () => {
  let api: TestApi;
  let gc: Controller;

  before(async () => {
    api = await startTestApi();
    await api.client.create(res('', 'namespaces'), undefined, { metadata: { name: ns } });
    const informers = api.informers();
    gc = startGarbageCollector({}, { client: api.client, informers, log: silentLogger(), clock: systemClock });
    await informers.start();
    await gc.ready;
  });

  after(async () => {
    await gc.stop();
    await api.stop();
  });

  const exists = async (info: ResourceInfo, name: string): Promise<KubeObject | undefined> => {
    try {
      return await api.client.get(info, ns, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  const gone = (info: ResourceInfo, name: string) => async () => !(await exists(info, name));
  const create = (info: ResourceInfo, obj: KubeObject): Promise<KubeObject> => api.client.create(info, ns, obj);

  test('deleting a Deployment in the background removes its ReplicaSet and their pods', async () => {
    const deploy = await create(deployments, newDeployment('web'));
    const rs = await create(replicasets, newReplicaSet('web-1', [ownerRef(deploy, { controller: true, block: true })]));
    await create(pods, newPod('web-1-a', { owners: [ownerRef(rs, { controller: true, block: true })] }));
    await create(pods, newPod('web-1-b', { owners: [ownerRef(rs, { controller: true, block: true })] }));
    await api.client.delete(deployments, ns, 'web', { propagationPolicy: 'Background' });
    await eventually('replicaset gone', gone(replicasets, 'web-1'));
    await eventually('pods gone', async () => (await gone(pods, 'web-1-a')()) && (await gone(pods, 'web-1-b')()));
  });

  test('orphan deletion keeps the ReplicaSet without the reference', async () => {
    const deploy = await create(deployments, newDeployment('orph'));
    await create(replicasets, newReplicaSet('orph-1', [ownerRef(deploy, { controller: true, block: true })]));
    await api.client.delete(deployments, ns, 'orph', { propagationPolicy: 'Orphan' });
    await eventually('deployment gone', gone(deployments, 'orph'));
    const rs = await exists(replicasets, 'orph-1');
    assert.ok(rs, 'replicaset kept');
    assert.equal(rs.metadata.ownerReferences, undefined);
  });

  test('foreground deletion keeps the owner until its blocking dependents are gone', async () => {
    const rs = await create(replicasets, newReplicaSet('fg'));
    const owners = [ownerRef(rs, { controller: true, block: true })];
    await create(configmaps, { ...newConfigMap('fg-held', owners), metadata: { name: 'fg-held', ownerReferences: owners, finalizers: ['example.com/hold'] } });
    await create(pods, newPod('fg-pod', { owners }));
    await api.client.delete(replicasets, ns, 'fg', { propagationPolicy: 'Foreground' });
    await eventually('pod gone', gone(pods, 'fg-pod'));
    await eventually('held dependent terminating', async () => !!(await exists(configmaps, 'fg-held'))?.metadata.deletionTimestamp);
    const owner = await exists(replicasets, 'fg');
    assert.ok(owner?.metadata.deletionTimestamp, 'owner still there, terminating');
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    await api.client.patch(configmaps, ns, 'fg-held', 'merge', { metadata: { finalizers: null } });
    await eventually('owner gone', gone(replicasets, 'fg'));
  });

  test('a dependent with another live owner stays and loses the reference to the waiting owner', async () => {
    const a = await create(configmaps, newConfigMap('two-a'));
    const b = await create(configmaps, newConfigMap('two-b'));
    await create(configmaps, newConfigMap('two-dep', [ownerRef(a, { block: true }), ownerRef(b, { block: true })]));
    await api.client.delete(configmaps, ns, 'two-a', { propagationPolicy: 'Foreground' });
    await eventually('waiting owner gone', gone(configmaps, 'two-a'));
    const dep = await exists(configmaps, 'two-dep');
    assert.deepEqual(dep?.metadata.ownerReferences?.map((r) => r.name), ['two-b']);
  });

  test('a dependency cycle does not block foreground deletion', async () => {
    const c1 = await create(configmaps, newConfigMap('cyc-1'));
    const c2 = await create(configmaps, newConfigMap('cyc-2', [ownerRef(c1, { block: true })]));
    const c3 = await create(configmaps, newConfigMap('cyc-3', [ownerRef(c2, { block: true })]));
    await api.client.patch(configmaps, ns, 'cyc-1', 'merge', { metadata: { ownerReferences: [ownerRef(c3, { block: true })] } });
    await api.client.delete(configmaps, ns, 'cyc-1', { propagationPolicy: 'Foreground' });
    for (const name of ['cyc-1', 'cyc-2', 'cyc-3']) await eventually(`${name} gone`, gone(configmaps, name));
  });

  test("a Service's EndpointSlices go with it", async () => {
    const svc = await create(services, { metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    await create(slices, {
      metadata: { name: 'svc-abc', labels: { 'kubernetes.io/service-name': 'svc' }, ownerReferences: [ownerRef(svc, { controller: true, block: true })] },
      addressType: 'IPv4',
      endpoints: [],
      ports: [],
    });
    await api.client.delete(services, ns, 'svc');
    await eventually('slice gone', gone(slices, 'svc-abc'));
  });

  test('a dependent whose owner never existed is collected', async () => {
    await create(configmaps, newConfigMap('stray', [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'nobody', uid: 'no-such-uid' }]));
    await eventually('stray gone', gone(configmaps, 'stray'));
  });
});
