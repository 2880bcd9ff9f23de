import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { isStatusError } from '../../api/status.js';
import { isRecord, type KubeObject } from '../../api/types.js';
import { systemClock } from '../../lib/clock.js';
import { silentLogger } from '../../lib/log.js';
import { startTestApi, type TestApi } from '../../testing/api.js';
import type { Controller } from '../types.js';
import { eventually, newConfigMap, newDeployment, newPod } from '../shared/testing.js';
import { startNamespaceController } from './namespace-controller.js';

const res = (group: string, plural: string): ResourceInfo => findResource(group, plural) as ResourceInfo;
const namespaces = res('', 'namespaces');
const pods = res('', 'pods');
const configmaps = res('', 'configmaps');
const deployments = res('apps', 'deployments');
const services = res('', 'services');

describe('namespace controller against an API server', () => {
  let api: TestApi;
  let controller: Controller;

  before(async () => {
    api = await startTestApi();
    const informers = api.informers();
    controller = startNamespaceController({ recheckMs: 50 }, { client: api.client, informers, log: silentLogger(), clock: systemClock });
    await informers.start();
    await controller.ready;
  });

  after(async () => {
    await controller.stop();
    await api.stop();
  });

  const getNs = async (name: string): Promise<KubeObject | undefined> => {
    try {
      return await api.client.get(namespaces, undefined, name);
    } catch (err) {
      if (isStatusError(err, 'NotFound')) return undefined;
      throw err;
    }
  };
  const condition = (ns: KubeObject | undefined, type: string): Record<string, unknown> | undefined => {
    const status = isRecord(ns?.status) ? ns.status : {};
    return (Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : []).find((c) => c.type === type);
  };

  test('deleting a namespace removes everything in it, then the namespace', async () => {
    await api.client.create(namespaces, undefined, { metadata: { name: 'doomed' } });
    await api.client.create(pods, 'doomed', newPod('p'));
    await api.client.create(configmaps, 'doomed', newConfigMap('cm'));
    await api.client.create(deployments, 'doomed', newDeployment('d'));
    await api.client.create(services, 'doomed', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    const marked = await api.client.delete(namespaces, undefined, 'doomed');
    assert.ok(marked.metadata.deletionTimestamp, 'namespace marked for deletion');
    await eventually('namespace gone', async () => !(await getNs('doomed')));
    for (const info of [pods, configmaps, deployments, services]) assert.equal((await api.client.list(info, 'doomed')).items.length, 0, info.plural);
  });

  test('content with a finalizer holds the namespace, which says why', async () => {
    await api.client.create(namespaces, undefined, { metadata: { name: 'held' } });
    await api.client.create(configmaps, 'held', { ...newConfigMap('cm'), metadata: { name: 'cm', finalizers: ['example.com/hold'] } });
    await api.client.delete(namespaces, undefined, 'held');
    const ns = await eventually('finalizers condition', async () => {
      const current = await getNs('held');
      return condition(current, 'NamespaceFinalizersRemaining')?.status === 'True' ? current : undefined;
    });
    assert.equal((ns.status as Record<string, unknown>).phase, 'Terminating');
    assert.equal(condition(ns, 'NamespaceContentRemaining')?.message, 'Some resources are remaining: configmaps has 1 resource instances');
    await assert.rejects(api.client.create(configmaps, 'held', newConfigMap('new')), (err) => isStatusError(err, 'Forbidden'));
    await api.client.patch(configmaps, 'held', 'cm', 'merge', { metadata: { finalizers: null } });
    await eventually('namespace gone', async () => !(await getNs('held')));
  });
});
