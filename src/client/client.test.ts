import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../api/resources.js';
import { isStatusError } from '../api/status.js';
import { startTestApi, type TestApi } from '../testing/api.js';
import { WorkQueue, runWorkers } from './workqueue.js';

const configmaps = findResource('', 'configmaps')!;

describe('ApiClient and informers against a real API server', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => api?.stop());

  test('CRUD with Status errors', async () => {
    await api.client.create(configmaps, 'default', { metadata: { name: 'a' }, data: { x: '1' } });
    const got = await api.client.get(configmaps, 'default', 'a');
    assert.equal((got as { data?: Record<string, string> }).data?.x, '1');
    await assert.rejects(api.client.create(configmaps, 'default', { metadata: { name: 'a' } }), (err) => isStatusError(err, 'AlreadyExists'));
    await api.client.patch(configmaps, 'default', 'a', 'merge', { data: { x: '2' } });
    await api.client.delete(configmaps, 'default', 'a');
    await assert.rejects(api.client.get(configmaps, 'default', 'a'), (err) => isStatusError(err, 'NotFound'));
  });

  test('an informer lists, then follows every change, with label indexes', async () => {
    const factory = api.informers();
    const informer = factory.informer('', 'configmaps');
    const seen: string[] = [];
    informer.addHandlers({
      onAdd: (o) => seen.push(`add ${o.metadata.name}`),
      onUpdate: (_old, o) => seen.push(`update ${o.metadata.name}`),
      onDelete: (o) => seen.push(`delete ${o.metadata.name}`),
    });
    await api.client.create(configmaps, 'default', { metadata: { name: 'pre', labels: { app: 'x' } } });
    await factory.start();
    assert.deepEqual(seen, ['add pre']);
    await api.client.create(configmaps, 'default', { metadata: { name: 'post', labels: { app: 'y' } } });
    await api.client.patch(configmaps, 'default', 'pre', 'merge', { metadata: { labels: { app: 'y' } } });
    await api.client.delete(configmaps, 'default', 'post');
    const deadline = Date.now() + 5000;
    while (seen.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(seen, ['add pre', 'add post', 'update pre', 'delete post']);
    assert.deepEqual(informer.cache.listByLabels('default', { app: 'y' }).map((o) => o.metadata.name), ['pre']);
    assert.deepEqual(informer.cache.listByLabels('default', { app: 'x' }), []);
    await factory.stop();
  });
});

describe('WorkQueue', () => {
  test('dedupes, never runs one key twice at once, re-runs a key changed while running', async () => {
    const q = new WorkQueue();
    const running = new Set<string>();
    const runs: string[] = [];
    let overlap = false;
    const workers = runWorkers({
      queue: q,
      workers: 4,
      sync: async (key) => {
        if (running.has(key)) overlap = true;
        running.add(key);
        runs.push(key);
        if (key === 'a' && runs.filter((k) => k === 'a').length === 1) q.add('a'); // changed while running
        await new Promise((r) => setTimeout(r, 5));
        running.delete(key);
      },
    });
    q.add('a');
    q.add('a');
    q.add('b');
    await new Promise((r) => setTimeout(r, 50));
    q.shutDown();
    await workers;
    assert.equal(overlap, false);
    assert.deepEqual(runs.sort(), ['a', 'a', 'b']);
  });

  test('failures are retried with back-off', async () => {
    const q = new WorkQueue({ baseDelayMs: 1 });
    let attempts = 0;
    const workers = runWorkers({
      queue: q,
      workers: 1,
      sync: async () => {
        attempts++;
        if (attempts < 3) throw new Error('transient');
      },
    });
    q.add('k');
    const deadline = Date.now() + 2000;
    while (attempts < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    q.shutDown();
    await workers;
    assert.equal(attempts, 3);
  });
});

describe('pod binding and namespace finalization', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
  });
  after(async () => api?.stop());
  const pods = findResource('', 'pods')!;
  const namespaces = findResource('', 'namespaces')!;

  test('binding assigns a node once', async () => {
    await api.client.create(pods, 'default', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    await api.client.create(pods, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }, { subresource: 'binding' });
    const pod = await api.client.get(pods, 'default', 'p');
    assert.equal((pod.spec as { nodeName?: string }).nodeName, 'n1');
    const conditions = (pod.status as { conditions: { type: string; status: string }[] }).conditions;
    assert.ok(conditions.some((c) => c.type === 'PodScheduled' && c.status === 'True'));
    await assert.rejects(
      api.client.create(pods, 'default', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n2' } }, { subresource: 'binding' }),
      (err) => isStatusError(err, 'Conflict'),
    );
  });

  test('a deleted namespace stays Terminating until finalized', async () => {
    await api.client.create(namespaces, undefined, { metadata: { name: 'gone' } });
    await api.client.delete(namespaces, undefined, 'gone');
    const ns = await api.client.get(namespaces, undefined, 'gone');
    assert.equal((ns.status as { phase: string }).phase, 'Terminating');
    assert.ok(ns.metadata.deletionTimestamp);
    await api.client.update(namespaces, { ...ns, spec: { finalizers: [] } }, { subresource: 'finalize' });
    await assert.rejects(api.client.get(namespaces, undefined, 'gone'), (err) => isStatusError(err, 'NotFound'));
  });
});
