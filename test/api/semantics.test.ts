/**
 * Kubernetes API semantics through real HTTP: generateName, dryRun, deletecollection,
 * paging, selectors, status and scale subresources, finalizers and graceful deletion,
 * watch resume, bookmarks and 410 Gone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startClusterOn, storeKinds, type Cluster } from '../harness.js';
import { credentialsFromKubeconfig, request, type Credentials } from './client.js';
import { openWatch } from './watch-stream.js';

type Obj = { metadata: Record<string, unknown> & { name: string; resourceVersion: string }; spec?: Record<string, unknown>; status?: Record<string, unknown> };
const json = 'application/json';

for (const store of storeKinds()) describe(`API semantics (${store})`, () => {
  let c: Cluster;
  let creds: Credentials;
  const call = (method: string, path: string, body?: unknown, contentType = json) =>
    request(creds, method, path, body === undefined ? {} : { body: JSON.stringify(body), contentType });
  const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });
  before(async () => {
    c = await startClusterOn(store);
    creds = credentialsFromKubeconfig(c.kubeconfig);
  });
  after(async () => c?.stop());

  test('generateName makes unique names', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { generateName: 'gen-' }, data: {} });
      assert.equal(r.status, 201, r.body);
      const name = r.json<Obj>().metadata.name;
      assert.match(name, /^gen-[a-z0-9]{5}$/);
      names.add(name);
    }
    assert.equal(names.size, 3);
  });

  test('dryRun=All validates and stores nothing', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
  });

  test('label and field selectors, limit and continue', async () => {
    for (let i = 0; i < 7; i++) await call('POST', '/api/v1/namespaces/default/configmaps', cm(`page-${i}`, { set: 'paged', parity: String(i % 2) }));
    const odd = (await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpaged,parity%3D1')).json<{ items: Obj[] }>();
    assert.deepEqual(odd.items.map((i) => i.metadata.name), ['page-1', 'page-3', 'page-5']);
    const one = (await call('GET', '/api/v1/namespaces/default/configmaps?fieldSelector=metadata.name%3Dpage-4')).json<{ items: Obj[] }>();
    assert.deepEqual(one.items.map((i) => i.metadata.name), ['page-4']);
    const seen: string[] = [];
    let token = '';
    let listRv = '';
    for (let pages = 0; pages < 10; pages++) {
      const r = await call('GET', `/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpaged&limit=3${token ? `&continue=${token}` : ''}`);
      const page = r.json<{ items: Obj[]; metadata: { continue?: string; resourceVersion: string } }>();
      if (!listRv) {
        listRv = page.metadata.resourceVersion;
        // A write between pages must not show up in later pages of the same list.
        await call('POST', '/api/v1/namespaces/default/configmaps', cm('page-9', { set: 'paged', parity: '1' }));
      }
      assert.equal(page.metadata.resourceVersion, listRv);
      seen.push(...page.items.map((i) => i.metadata.name));
      if (!page.metadata.continue) break;
      token = page.metadata.continue;
    }
    assert.deepEqual(seen, ['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
    const bad = await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(');
    assert.equal(bad.status, 400);
  });

  test('deletecollection removes exactly the matching objects', async () => {
    const r = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=parity%3D0');
    assert.equal(r.status, 200, r.body);
    const left = (await call('GET', '/api/v1/namespaces/default/configmaps?labelSelector=set%3Dpaged')).json<{ items: Obj[] }>();
    assert.deepEqual(left.items.map((i) => i.metadata.name), ['page-1', 'page-3', 'page-5', 'page-9']);
  });

  test('status and scale subresources', async () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    assert.equal((await call('POST', '/apis/apps/v1/namespaces/default/deployments', deploy)).status, 201);
    // The main resource ignores status; /status changes only status.
    const withStatus = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { status: { replicas: 9 } }, 'application/merge-patch+json');
    assert.equal(withStatus.json<Obj>().status?.replicas, undefined);
    const st = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/status', { status: { replicas: 2 }, spec: { replicas: 5 } }, 'application/merge-patch+json');
    assert.equal(st.status, 200, st.body);
    assert.equal(st.json<Obj>().status?.replicas, 2);
    assert.equal(st.json<Obj>().spec?.replicas, 1);
    const scale = await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    assert.deepEqual(scale.json<{ spec: unknown; status: unknown }>().spec, { replicas: 1 });
    // The cluster's deployment controller may write the status after the PATCH above (it runs
    // in this cluster): /scale shows the Deployment's status at the same resourceVersion.
    type Scale = { metadata: { resourceVersion: string }; status: unknown };
    let pair: [Scale, Obj] | undefined;
    for (let i = 0; i < 5 && !pair; i++) {
      const sc = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale')).json<Scale>();
      const dep = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json<Obj>();
      if (sc.metadata.resourceVersion === dep.metadata.resourceVersion) pair = [sc, dep];
    }
    assert.ok(pair, 'a /scale and a Deployment read at the same resourceVersion');
    assert.deepEqual(pair[0].status, { replicas: pair[1].status?.replicas ?? 0, selector: 'app=web' });
    const scaled = await call('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 3 } }, 'application/merge-patch+json');
    assert.equal(scaled.status, 200, scaled.body);
    const d = (await call('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json<Obj>();
    assert.equal(d.spec?.replicas, 3);
    assert.equal(d.metadata.generation, 2);
  });

  test('finalizers hold a deletion; propagationPolicy is recorded; removing the last finalizer deletes', async () => {
    await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/held', { propagationPolicy: 'Foreground' });
    assert.equal(del.status, 200);
    // The DELETE answers with the object as stored: the policy recorded as a finalizer. (The
    // garbage collector then drops foregroundDeletion at once, as there are no dependents.)
    assert.deepEqual(del.json<Obj>().metadata.finalizers, ['example.com/hold', 'foregroundDeletion']);
    const held = (await call('GET', '/api/v1/namespaces/default/configmaps/held')).json<Obj>();
    assert.ok(held.metadata.deletionTimestamp);
    assert.ok((held.metadata.finalizers as string[] | undefined)?.includes('example.com/hold'), 'the deletion waits for the remaining finalizer');
    const patch = await call('PATCH', '/api/v1/namespaces/default/configmaps/held', { metadata: { finalizers: null } }, 'application/merge-patch+json');
    assert.equal(patch.status, 200, patch.body);
    assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps/held')).status, 404);
  });

  test('a pod bound to a node is deleted gracefully; grace 0 removes it', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound' }, spec: { nodeName: 'node-a', terminationGracePeriodSeconds: 20, containers: [{ name: 'c', image: 'x' }] } };
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    await call('DELETE', '/api/v1/namespaces/default/pods/bound');
    const terminating = (await call('GET', '/api/v1/namespaces/default/pods/bound')).json<Obj>();
    assert.equal(terminating.metadata.deletionGracePeriodSeconds, 20);
    assert.ok(terminating.metadata.deletionTimestamp);
    await call('DELETE', '/api/v1/namespaces/default/pods/bound', { gracePeriodSeconds: 0 });
    assert.equal((await call('GET', '/api/v1/namespaces/default/pods/bound')).status, 404);
  });

  test('a watch from a resourceVersion gets exactly the later changes; selector transitions', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('w1', { watched: 'yes' }))).json<Obj>();
    const w = openWatch(creds, `/api/v1/namespaces/default/configmaps?watch=true&labelSelector=watched%3Dyes&resourceVersion=${created.metadata.resourceVersion}&allowWatchBookmarks=true`);
    try {
      await call('POST', '/api/v1/namespaces/default/configmaps', cm('w2', { watched: 'yes' }));
      await call('PATCH', '/api/v1/namespaces/default/configmaps/w1', { metadata: { labels: { watched: 'no' } } }, 'application/merge-patch+json');
      await call('DELETE', '/api/v1/namespaces/default/configmaps/w2');
      await w.waitFor((events) => events.length >= 3);
      assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED w2', 'DELETED w1', 'DELETED w2']);
    } finally {
      w.stop();
    }
  });

  test('initial events end with a bookmark when asked (WatchList)', async () => {
    const w = openWatch(creds, '/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan');
    try {
      await w.waitFor((events) => events.some((e) => e.type === 'BOOKMARK'));
      const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
      assert.equal((bookmark?.object.metadata as { annotations?: Record<string, string> }).annotations?.['k8s.io/initial-events-end'], 'true');
      assert.ok(w.events.slice(0, -1).every((e) => e.type === 'ADDED'));
    } finally {
      w.stop();
    }
  });
});
